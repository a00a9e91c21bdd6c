/**
 * @module @monlight/relay
 *
 * The browser-facing side of Monlight: DSN keys with per-project CORS and rate limits, browser error and metrics
 * ingestion forwarded to the errors and metrics modules (in-process or over HTTP with a retry queue), and source
 * maps that turn minified browser stacks back into original files, lines and functions.
 */
import { createScheduler, type MonlightModule, migrate } from '@monlight/core'
import { type RelayOptions, resolveRelayOptions } from './options.js'
import { createCumulativeTracker, createSeriesBudget } from './receivers/metric-points.js'
import { createScraper } from './receivers/prometheus/scrape.js'
import { createRelayRouter } from './router/router.js'
import { migrations } from './schema/migrations.js'
import { createBundleAssembler } from './service/bundle-assembly.js'
import { type Forwarder, httpForwarder, inProcessForwarder } from './service/forward.js'
import { createRelayService, isOrigin, type RelayService } from './service/service.js'
import { createSourceMapCache } from './service/source-maps.js'
import { importUpstreamRelay } from './store/import-upstream.js'
import { createRelayStore } from './store/store.js'

export { type RelayOptions, relayOptionsSchema } from './options.js'
export { dsnKey } from './receivers/sentry/routes.js'
export { migrations } from './schema/migrations.js'
export type { DsnKey, KeySettings, RelayService } from './service/service.js'
export { SDK_SNIPPETS, sentryDsn, snippetsText } from './service/snippets.js'
export { fileKeys, parseFrame } from './service/stack.js'
export type { SourceMapSummary } from './store/store.js'
export { type UploadOptions, type UploadResult, uploadSourceMaps } from './upload.js'

export const MODULE_NAME = 'relay'
const DAY_MS = 86_400_000
const MIB = 1024 * 1024
/** Sentry's own chunk size: bundles arrive in pieces of 8 MiB, up to 32 MiB per request. */
const CHUNK_BYTES = 8 * MIB
/** The conventional paths of the OTLP, Loki and Prometheus receivers, as their clients default to them. */
const RECEIVER_PATHS = new Set([
  '/v1/logs',
  '/v1/metrics',
  '/v1/traces',
  '/otlp/v1/logs',
  '/otlp/v1/metrics',
  '/otlp/v1/traces',
  '/loki/api/v1/push',
  '/api/v1/write',
  '/api/prom/push',
])

export interface RelayModule extends MonlightModule<RelayService> {
  readonly service: RelayService
  /** Browser events waiting for a backend (HTTP forwarding only). */
  readonly pending: number
  /**
   * Whether `pathname` is a conventional ingestion path that third-party clients post to at a server's root
   * (`/api/<project id>/envelope/`, `/api/<project id>/store/`, the tunnel, Sentry's upload API under `/api/0/`,
   * OTLP's `/v1/logs|metrics|traces`, Loki's `/loki/api/v1/push`, Prometheus' `/api/v1/write`):
   * a host serving the relay under a prefix sends those to `fetch` too, so a DSN or `sentry-cli --url` without a
   * path works.
   */
  servesAtRoot(pathname: string): boolean
}

/**
 * The browser relay as a module: `migrate()` (which also seeds `dsnKeys`), then mount `router` (or call `fetch`),
 * then `start()` the source-map retention job. Nothing runs on import or construction.
 *
 * @example
 * const relay = createRelay({
 *   database, apiKeys: [adminKey], corsOrigins: ['https://*.example.com'],
 *   forward: { errors: errors.service, metrics: metrics.service },
 * })
 * await relay.migrate()
 * app.use('/relay', toExpressMiddleware(relay.router))
 */
export function createRelay(input: RelayOptions & { uiDir?: string }): RelayModule {
  const { uiDir, ...rest } = input
  const options = resolveRelayOptions(rest)
  const logger = options.logger
  options.corsOrigins = options.corsOrigins.filter((origin) => {
    if (isOrigin(origin)) return true
    // A browser sends `Origin: http://localhost:3000`: an entry without a scheme, or with a path, never matches.
    const hint =
      origin === '*'
        ? ' (a pattern keeps its scheme: https://*.example.com)'
        : /^[^:/*]+(:\d+)?$/.test(origin)
          ? ` (write http://${origin} or https://${origin})`
          : ''
    logger.warn(
      `CORS origin '${origin.slice(0, 100)}' is not an origin (scheme://host[:port], no path) and is ignored${hint}`,
    )
    return false
  })
  const store = createRelayStore(options.database)
  const forwarder: Forwarder =
    'errors' in options.forward
      ? inProcessForwarder(options.forward.errors, options.forward.metrics, options.forward.logs, logger)
      : httpForwarder(options.forward, logger)
  const cache = createSourceMapCache({
    size: options.sourceMaps.cacheSize,
    load: (id) => store.getSourceMapContent(id),
    logger,
  })
  const service = createRelayService({
    store,
    forwarder,
    cache,
    corsOrigins: options.corsOrigins,
    maxMapBytes: options.sourceMaps.maxBytes,
    retentionDays: options.sourceMaps.retentionDays,
    logger,
    now: options.now,
  })
  const assembler = createBundleAssembler({
    store,
    maxMapBytes: options.sourceMaps.maxBytes,
    maxBundleBytes: options.sourceMaps.maxBundleBytes,
    chunkBytes: CHUNK_BYTES,
    waitMs: 10_000,
    onStored: () => service.sourceMapsChanged(),
    logger,
    now: options.now,
  })
  const cumulative = createCumulativeTracker({
    maxSeries: options.receivers.maxCumulativeSeries,
    now: options.now,
  })
  const series = createSeriesBudget({
    maxPerMetric: options.receivers.maxSeriesPerMetric,
    maxMetrics: 10_000,
  })
  const router = createRelayRouter({
    cumulative,
    series,
    service,
    forwarder,
    assembler,
    sentry: options.sentry,
    sentryApi: {
      chunkBytes: CHUNK_BYTES,
      maxRequestBytes: 4 * CHUNK_BYTES,
      maxBundleBytes: options.sourceMaps.maxBundleBytes,
    },
    receivers: options.receivers,
    publicUrl: options.publicUrl,
    now: options.now,
    apiKeys: options.apiKeys,
    corsOrigins: options.corsOrigins,
    rateLimit: options.rateLimit,
    maxMapBytes: options.sourceMaps.maxBytes,
    logger,
    uiDir,
  })

  return {
    name: MODULE_NAME,
    service,
    router,
    fetch: async (request) => router.fetch(request),
    async migrate() {
      const result = await migrate(options.database.db, {
        module: MODULE_NAME,
        migrations,
        dialect: options.database.dialect,
        logger,
      })
      await service.seedKeys(options.dsnKeys)
      return result
    },
    start() {
      if (options.corsOrigins.length === 0) {
        logger.info(
          "no CORS origins: browsers on any origin may send with a project key that has no allowed origins of its own (set CORS_ORIGINS or the key's origins to restrict)",
        )
      }
      const scheduler = createScheduler({ name: 'relay', database: options.database, logger })
      scheduler
        .add({
          name: 'source-map-retention',
          intervalMs: DAY_MS,
          run: () => service.applyRetention().then(() => {}),
        })
        .add({
          name: 'artifact-chunk-cleanup',
          intervalMs: DAY_MS,
          run: () => assembler.applyRetention(),
        })
      if (options.scrape.length > 0) {
        const scraper = createScraper({
          targets: options.scrape,
          forwarder,
          cumulative,
          series,
          logger,
          now: options.now,
        })
        scheduler.add({
          name: 'prometheus-scrape',
          intervalMs: scraper.tickMs,
          run: (signal) => scraper.scrapeDue(signal),
        })
      }
      const stop = scheduler.start()
      return async () => {
        await stop()
        await forwarder.close()
        cache.clear()
      }
    },
    get pending() {
      return forwarder.pending
    },
    servesAtRoot: (pathname) =>
      /^\/api\/\d{1,15}\/(envelope|store)\/?$/.test(pathname) ||
      RECEIVER_PATHS.has(pathname) ||
      /^\/api\/0\/((organizations|projects)\/|$)/.test(pathname) ||
      pathname === options.sentry.tunnelPath,
    importUpstream: (source) => importUpstreamRelay(options.database, source),
  }
}
