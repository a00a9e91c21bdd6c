import type { ErrorIngest, Logger, MetricsIngest, MonlightModule } from '@monlight/core'
import { ErrorClient } from './errors/error-client.js'
import { MetricsClient } from './metrics/metrics-client.js'
import { collectProcessMetrics, type ProcessMetricsOptions } from './metrics/process-metrics.js'
import { flushOnShutdown } from './shutdown.js'

/** Monlight modules running inside the app itself (`createErrors()`, `createMetrics()`), already migrated. */
export interface EmbeddedModules {
  errors?: MonlightModule
  metrics?: MonlightModule
  /** Where their UIs and APIs are mounted in the app: `<path>/errors/`, `<path>/metrics/`. Default `/monlight`. */
  path?: string
}

/** `setupMonlight(app, options)` for every framework, mirroring the Python client's `setup_monlight`. */
export interface MonlightSetupOptions {
  /** The error tracker, e.g. `http://localhost:5010`. */
  errorTrackerUrl?: string
  /** The metrics collector, e.g. `http://localhost:5012`. */
  metricsCollectorUrl?: string
  /** Sent as `X-API-Key` to both. */
  apiKey?: string
  /** Default `default`. */
  project?: string
  environment?: string
  /** Default 10 000 ms. */
  flushIntervalMs?: number
  /** Headers left out of error reports, on top of authorization, cookie, set-cookie and x-api-key. */
  excludedHeaders?: string[]
  /** Body, query and extra keys whose values are scrubbed. Default password, token, secret. */
  scrubKeys?: string[]
  /** Record event-loop delay, heap, RSS and GC pauses. Default false. */
  processMetrics?: boolean | ProcessMetricsOptions
  /** Flush on SIGTERM/SIGINT and when the loop empties. Default true. */
  flushOnShutdown?: boolean
  /** Record into Monlight modules running in this app instead of sending over HTTP. */
  embedded?: EmbeddedModules
  logger?: Logger
}

/** What `setupMonlight` returns. */
export interface Monlight {
  /** Undefined when neither `errorTrackerUrl` nor `embedded.errors` was given. */
  readonly errorClient: ErrorClient | undefined
  /** Undefined when neither `metricsCollectorUrl` nor `embedded.metrics` was given. */
  readonly metricsClient: MetricsClient | undefined
  /** Where embedded modules are mounted (e.g. `/monlight`), if any. */
  readonly mountPath: string | undefined
  /** Sends everything pending. */
  flush(): Promise<void>
  /** Stops timers and hooks, then flushes. */
  shutdown(): Promise<void>
}

/** Builds the clients of a framework integration; each integration then adds its middleware. */
export function createMonlight(options: MonlightSetupOptions): Monlight {
  const { embedded } = options
  const errorIngest = embedded?.errors && serviceOf<ErrorIngest>(embedded.errors, 'errors')
  const metricsIngest = embedded?.metrics && serviceOf<MetricsIngest>(embedded.metrics, 'metrics')
  const shared = { apiKey: options.apiKey, logger: options.logger, project: options.project }

  const errorClient =
    errorIngest || options.errorTrackerUrl
      ? new ErrorClient({
          ...shared,
          baseUrl: options.errorTrackerUrl,
          ingest: errorIngest,
          environment: options.environment,
          excludedHeaders: options.excludedHeaders,
          scrubKeys: options.scrubKeys,
        })
      : undefined
  const metricsClient =
    metricsIngest || options.metricsCollectorUrl
      ? new MetricsClient({
          ...shared,
          project: options.project,
          baseUrl: options.metricsCollectorUrl,
          ingest: metricsIngest,
          flushIntervalMs: options.flushIntervalMs,
        })
      : undefined
  if (!errorClient && !metricsClient) {
    throw new TypeError(
      '@monlight/node: setupMonlight needs errorTrackerUrl and/or metricsCollectorUrl (with apiKey), or embedded modules',
    )
  }

  const stopProcessMetrics =
    metricsClient && options.processMetrics
      ? collectProcessMetrics(metricsClient, options.processMetrics === true ? {} : options.processMetrics)
      : undefined
  const flush = async () => {
    await Promise.all([errorClient?.flush(), metricsClient?.flush()])
  }
  const removeHooks = options.flushOnShutdown === false ? undefined : flushOnShutdown(flush)

  return {
    errorClient,
    metricsClient,
    mountPath: embedded ? normalizeMountPath(embedded.path ?? '/monlight') : undefined,
    flush,
    async shutdown() {
      stopProcessMetrics?.()
      removeHooks?.()
      await Promise.all([errorClient?.flush(), metricsClient?.shutdown()])
    },
  }
}

/** The embedded modules with the path each is mounted at, e.g. `[['/monlight/errors', errorsModule]]`. */
export function embeddedMounts(
  monlight: Monlight,
  embedded: EmbeddedModules | undefined,
): [string, MonlightModule][] {
  if (!embedded || !monlight.mountPath) return []
  const base = monlight.mountPath === '/' ? '' : monlight.mountPath
  return [embedded.errors, embedded.metrics]
    .filter((module): module is MonlightModule => module !== undefined)
    .map((module) => [`${base}/${module.name}`, module])
}

/**
 * A handler made on its first call: embedded modules are served through core's adapters, which load the server
 * kernel (h3), and an app that embeds nothing should not load it at all.
 */
export function lazily<Handler extends (...args: any[]) => any>(
  make: () => Promise<Handler>,
): (...args: Parameters<Handler>) => Promise<Awaited<ReturnType<Handler>>> {
  let made: Promise<Handler> | undefined
  return async (...args) => {
    made ??= make()
    return (await made)(...args)
  }
}

function serviceOf<T>(module: MonlightModule, expected: string): T {
  const service = module.service as { ingest?: unknown } | undefined
  if (typeof service?.ingest !== 'function') {
    throw new TypeError(
      `@monlight/node: embedded.${expected} must be the module returned by create${capitalize(expected)}()`,
    )
  }
  return service as T
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function normalizeMountPath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`
  return trimmed
}
