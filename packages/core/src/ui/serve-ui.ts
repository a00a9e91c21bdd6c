import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { H3, H3Event } from 'h3'
import { MonlightError } from '../errors.js'
import { routeMeta } from '../http/module-app.js'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

/**
 * The UIs load only their own script and styles and call only their own API: anything else a page tries (an
 * injected script, a frame around it on another site) is refused by the browser too.
 */
const PAGE_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    // Charts and layout set element styles from script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
}

export interface UiOptions {
  /** The built UI: `index.html` plus assets (see {@link findUiDir}). */
  dir: string
  /**
   * Extra routes that render `index.html` (client-side pages), e.g. `/errors/:id`. `/` and `/index.html`
   * always do. A `<base>` is injected so the page's relative asset URLs work at any depth and under any mount
   * prefix.
   */
  pages?: string[]
}

interface Asset {
  body: Uint8Array<ArrayBuffer>
  type: string
  etag: string
}

/**
 * Serves a module's prebuilt web UI from its own router: `index.html` at `/` (and at `pages`), files of `dir` at
 * `/assets/*`. Open routes (no API key), as upstream: the page asks for the key and sends it with its API calls.
 * Files are read once and kept in memory; they are a few kilobytes each.
 */
export function mountUi(app: H3, { dir, pages = [] }: UiOptions): void {
  const cache = new Map<string, Asset>()
  const load = (name: string): Asset | undefined => {
    const cached = cache.get(name)
    if (cached) return cached
    const path = resolve(dir, name)
    if (!path.startsWith(resolve(dir) + sep) || !existsSync(path)) return undefined
    const body = readFileSync(path)
    const asset = {
      body,
      type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`,
    }
    cache.set(name, asset)
    return asset
  }

  const send = (event: H3Event, asset: Asset, body: Uint8Array<ArrayBuffer> | string = asset.body) => {
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': 'no-cache',
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
    }
    if (asset.type.startsWith('text/html')) Object.assign(headers, PAGE_HEADERS)
    if (event.req.headers.get('if-none-match') === asset.etag)
      return new Response(null, { status: 304, headers })
    return new Response(body, { headers })
  }

  const page = (event: H3Event) => {
    const index = load('index.html')
    if (!index) return notBuilt(dir)
    // `/` → "./", `/errors/12` → "../": relative asset and API URLs then resolve against the module root.
    const depth = event.url.pathname.split('/').length - 2
    const base = depth > 0 ? '../'.repeat(depth) : './'
    const html = new TextDecoder().decode(index.body).replace('<head>', `<head><base href="${base}">`)
    return send(event, index, html)
  }

  const open = routeMeta({ public: true })
  for (const route of ['/', '/index.html', ...pages]) app.get(route, page, open)
  app.get(
    '/assets/**:file',
    (event) => {
      const asset = load(event.context.params?.file ?? '')
      if (!asset) throw new MonlightError('NOT_FOUND', 'Not found')
      return send(event, asset)
    },
    open,
  )
}

function notBuilt(dir: string) {
  return new Response(`The web UI is not built (no ${join(dir, 'index.html')}): run \`npm run build\`.`, {
    status: 503,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })
}

/**
 * `<package root>/dist/ui` for the package that contains `moduleUrl` (pass `import.meta.url`), whether the code
 * runs from `src/` (tests) or from the bundled `dist/`.
 */
export function findUiDir(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`)
    dir = parent
  }
  return join(dir, 'dist', 'ui')
}
