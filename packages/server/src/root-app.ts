import { createModuleApp, type Logger, type MonlightModule } from '@monlight/core'
import { trailingSlash } from '@monlight/core/adapters/fetch'
import type { H3 } from 'h3'
import { type ModuleHealth, renderIndexPage } from './index-page.js'
import type { StackModule } from './stack.js'

const HEALTH_TIMEOUT_MS = 2000

export interface RootAppOptions {
  version: string
  logger?: Logger
}

/**
 * The single-port app: an index page at `/`, its own `/health`, and each module under `/<name>`. Modules are
 * mounted by their `fetch`, so each keeps its own auth and error mapper.
 */
export function createRootApp(modules: readonly StackModule[], options: RootAppOptions): H3 {
  const app = createModuleApp({
    name: 'server',
    auth: false,
    // Body limits are each module's business; the root app must not refuse what a module accepts.
    bodyLimit: Number.MAX_SAFE_INTEGER,
    ...(options.logger ? { logger: options.logger } : {}),
  })
  const names = new Set(modules.map(({ slot }) => slot.name))

  // `/errors` → `/errors/`: module UIs use relative URLs, which only resolve under the trailing slash.
  app.use((event, next) => {
    const name = event.url.pathname.slice(1)
    return (names.has(name) && trailingSlash(event.req, event.url.pathname)) || next()
  })

  // Third-party clients post to conventional root paths (a Sentry DSN `http://key@host:8080/1` posts to
  // `/api/1/envelope/`): the module that serves them answers there too.
  const atRoot = modules.flatMap(({ module }) => (hasRootPaths(module) ? [module] : []))
  if (atRoot.length > 0) {
    app.use((event, next) => {
      const module = atRoot.find((candidate) => candidate.servesAtRoot(event.url.pathname))
      return module ? module.fetch(event.req) : next()
    })
  }

  app.get('/', async () => {
    const health = await Promise.all(modules.map((entry) => checkHealth(entry)))
    return new Response(renderIndexPage({ version: options.version, modules: health }), {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      },
    })
  })

  for (const { slot, module } of modules) {
    app.mount(`/${slot.name}`, { fetch: (request: Request) => module.fetch(request) })
  }
  return app
}

function hasRootPaths(
  module: MonlightModule,
): module is MonlightModule & { servesAtRoot(path: string): boolean } {
  return typeof (module as { servesAtRoot?: unknown }).servesAtRoot === 'function'
}

async function checkHealth({ slot, module }: StackModule): Promise<ModuleHealth> {
  const base = { name: slot.name, title: slot.title ?? slot.name }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS)
  })
  try {
    const response = await Promise.race([module.fetch(new Request('http://monlight.local/health')), timeout])
    const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined
    const ok = response.ok && body?.status === 'ok'
    return { ...base, ok, status: ok ? 'ok' : `HTTP ${response.status}` }
  } catch (error) {
    return { ...base, ok: false, status: (error as Error).message }
  } finally {
    clearTimeout(timer)
  }
}
