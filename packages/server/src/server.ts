import { createLogger, type Logger, MonlightConfigError, type MonlightModule } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { type ApiKeys, resolveApiKeys } from './api-key.js'
import { type Env, resolveServerConfig, type ServerConfig, type ServerConfigInput } from './config.js'
import { type HttpServer, listen } from './http-server.js'
import { withModuleLinks } from './module-links.js'
import { MODULES, type ModuleSlot } from './modules.js'
import { createRootApp } from './root-app.js'
import { openStack, type Stack } from './stack.js'
import { packageVersion } from './version.js'

/** How long {@link MonlightServer.close} lets in-flight requests finish before cutting connections. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000

export interface StartServerOptions {
  /** Default: a logger on stderr at `config.logLevel`. */
  logger?: Logger
  /** The modules to run. Default: {@link MODULES}. */
  modules?: readonly ModuleSlot[]
  /** Default {@link DEFAULT_SHUTDOWN_GRACE_MS}. */
  shutdownGraceMs?: number
  /** Where modules read their own variables (`SMTP_HOST`, `RETENTION_DAYS`, ...). Default `process.env`. */
  env?: Env
}

/** A running standalone stack. */
export interface MonlightServer {
  readonly config: ServerConfig
  /** `single-port`: one server, modules under `/<name>/`; `port-per-module`: one server per module. */
  readonly layout: 'single-port' | 'port-per-module'
  /** Each module's base URL by name, e.g. `{ errors: 'http://localhost:5010/' }`. */
  readonly urls: Readonly<Record<string, string>>
  /** The single-port index page; undefined in the port-per-module layout. */
  readonly indexUrl: string | undefined
  /** The bound port of each module (the real ones when 0 was asked). */
  readonly ports: Readonly<Record<string, number>>
  /** The accepted API keys and where they came from. */
  readonly apiKeys: ApiKeys
  readonly modules: readonly MonlightModule[]
  /**
   * Graceful shutdown: stops accepting, lets in-flight requests finish (cutting them after the grace period),
   * stops background jobs and closes the databases. Safe to call more than once.
   */
  close(): Promise<void>
}

/**
 * Starts the standalone stack: opens the databases, migrates every module, listens (one port per module, or
 * one port for all), then starts the modules' background jobs.
 *
 * @example
 * const server = await startServer({ port: 8080, dataDir: './data' })
 * console.log(server.urls.errors) // http://localhost:8080/errors/
 * await server.close()
 */
export async function startServer(
  input: ServerConfigInput = {},
  options: StartServerOptions = {},
): Promise<MonlightServer> {
  const config = resolveServerConfig(input)
  const logger = options.logger ?? createLogger({ level: config.logLevel, name: 'monlight' })
  const slots = options.modules ?? MODULES
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
  const unknown = Object.keys(config.ports).filter((name) => !slots.some((slot) => slot.name === name))
  if (unknown.length > 0) {
    throw new MonlightConfigError(`@monlight/server: ports names unknown module(s) ${unknown.join(', ')}`)
  }

  const apiKeys = resolveApiKeys(config, logger)
  // Where each module's UI is, for the links between them: filled in once every server listens.
  const links: Record<string, string> = {}
  const stack = await openStack(config, slots, apiKeys.keys, logger, options.env)
  const servers: HttpServer[] = []
  try {
    await stack.migrate()
    if (config.port === undefined) {
      for (const { slot, module } of stack.modules) {
        servers.push(
          await listen(
            toNodeListener(withModuleLinks(module.router, () => links)),
            config.ports[slot.name] ?? slot.defaultPort,
            config.host,
            slot.name,
          ),
        )
      }
    } else {
      const root = createRootApp(stack.modules, { version: packageVersion(), logger })
      servers.push(
        await listen(
          toNodeListener(withModuleLinks(root, () => links)),
          config.port,
          config.host,
          'all modules',
        ),
      )
    }
  } catch (error) {
    await Promise.allSettled(servers.map((server) => server.close(0)))
    await stack.close()
    throw error
  }

  const stops = stack.modules.map(({ module }) => module.start())
  const layout = config.port === undefined ? 'port-per-module' : 'single-port'
  const base = (port: number) => `http://${displayHost(config.host)}:${port}/`
  const ports: Record<string, number> = {}
  const urls: Record<string, string> = {}
  stack.modules.forEach(({ slot }, index) => {
    const port = servers[layout === 'single-port' ? 0 : index]!.port
    ports[slot.name] = port
    links[slot.name] = layout === 'single-port' ? `../${slot.name}/` : `:${port}/`
    urls[slot.name] = layout === 'single-port' ? `${base(port)}${slot.name}/` : base(port)
  })

  let closing: Promise<void> | undefined
  return {
    config,
    layout,
    urls,
    indexUrl: layout === 'single-port' ? base(servers[0]!.port) : undefined,
    ports,
    apiKeys,
    modules: stack.modules.map(({ module }) => module),
    close: () => {
      closing ??= shutDown(servers, stops, stack, graceMs, logger)
      return closing
    },
  }
}

async function shutDown(
  servers: readonly HttpServer[],
  stops: readonly (() => Promise<void>)[],
  stack: Stack,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  // Requests may still use the databases and jobs: stop HTTP first (ending live tails, which never finish on
  // their own), then jobs, then close the databases.
  for (const { module } of stack.modules) module.closeStreams?.()
  await Promise.all(servers.map((server) => server.close(graceMs)))
  for (const result of await Promise.allSettled(stops.map((stop) => stop()))) {
    if (result.status === 'rejected') {
      logger.error('a module failed to stop its jobs', { error: result.reason })
    }
  }
  await stack.close()
}

/** `0.0.0.0` and `::` are not addresses a browser can open: show `localhost`; bracket IPv6 literals. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return 'localhost'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
