import {
  type ErrorIngest,
  type Logger,
  type LogsIngest,
  type MetricsIngest,
  MonlightError,
  type MonlightModule,
} from '@monlight/core'
import { createRelay } from '@monlight/relay'
import type { ModuleContext } from '../modules.js'
import { type EnvReader, envReader } from './env.js'

/**
 * Builds the browser relay of the standalone stack. Upstream's variables: ADMIN_API_KEY (default: the stack's
 * API keys), CORS_ORIGINS, DSN_KEYS (`project:key,...`), ERROR_TRACKER_URL / ERROR_TRACKER_API_KEY and
 * METRICS_COLLECTOR_URL / METRICS_COLLECTOR_API_KEY (used only when the errors / metrics modules do not run in
 * this process), RATE_LIMIT (per DSN key and minute; RELAY_RATE_LIMIT wins, as RATE_LIMIT also sets the other
 * modules'); ours: SOURCE_MAP_MAX_BYTES, SOURCE_MAP_RETENTION_DAYS, SOURCE_MAP_CACHE_SIZE,
 * SOURCE_MAP_MAX_BUNDLE_BYTES, UPSTREAM_TIMEOUT_MS, RELAY_PUBLIC_URL (for the DSNs shown), LOG_VIEWER_URL /
 * LOG_VIEWER_API_KEY (Sentry logs when the log viewer runs apart), SENTRY_MAX_BODY_BYTES, SENTRY_MAX_ITEM_BYTES,
 * SENTRY_TUNNEL_PATH, SCRAPE_TARGETS (`[job=]url,...`) and SCRAPE_INTERVAL (seconds).
 */
export function createRelaySlot(context: ModuleContext): MonlightModule {
  const env = envReader(context.env)
  const admin = env.list('ADMIN_API_KEY')
  return createRelay({
    database: context.database,
    apiKeys: admin.length > 0 ? admin : context.apiKeys,
    logger: context.logger,
    corsOrigins: env
      .list('CORS_ORIGINS')
      .filter((origin) => origin.length <= 256)
      .slice(0, 32),
    dsnKeys: parseDsnKeys(env.list('DSN_KEYS'), context.logger),
    forward: forwardOptions(context, env),
    rateLimit: env.integer(env.text('RELAY_RATE_LIMIT') ? 'RELAY_RATE_LIMIT' : 'RATE_LIMIT'),
    publicUrl: env.url('RELAY_PUBLIC_URL'),
    sentry: {
      maxBodyBytes: env.integer('SENTRY_MAX_BODY_BYTES'),
      maxItemBytes: env.integer('SENTRY_MAX_ITEM_BYTES'),
      tunnelPath: env.text('SENTRY_TUNNEL_PATH'),
    },
    scrape: parseScrapeTargets(env.list('SCRAPE_TARGETS'), env.integer('SCRAPE_INTERVAL')),
    sourceMaps: {
      maxBytes: env.integer('SOURCE_MAP_MAX_BYTES'),
      retentionDays: env.integer('SOURCE_MAP_RETENTION_DAYS'),
      cacheSize: env.integer('SOURCE_MAP_CACHE_SIZE'),
      maxBundleBytes: env.integer('SOURCE_MAP_MAX_BUNDLE_BYTES'),
    },
  })
}

/** In-process when the errors and metrics modules run here; over HTTP when their URLs are set. */
function forwardOptions(context: ModuleContext, env: EnvReader) {
  const errors = context.modules.get('errors')?.service
  const metrics = context.modules.get('metrics')?.service
  const logs = context.modules.get('logs')?.service
  const local = { errors: hasIngest<ErrorIngest>(errors), metrics: hasIngest<MetricsIngest>(metrics) }
  const localLogs =
    typeof (logs as { write?: unknown } | undefined)?.write === 'function' ? (logs as LogsIngest) : undefined
  if (local.errors && local.metrics) {
    return { errors: local.errors, metrics: local.metrics, ...(localLogs && { logs: localLogs }) }
  }
  const errorTrackerUrl = env.url('ERROR_TRACKER_URL')
  const errorTrackerApiKey = env.text('ERROR_TRACKER_API_KEY')
  const metricsCollectorUrl = env.url('METRICS_COLLECTOR_URL')
  const metricsCollectorApiKey = env.text('METRICS_COLLECTOR_API_KEY')
  if (errorTrackerUrl && errorTrackerApiKey && metricsCollectorUrl && metricsCollectorApiKey) {
    const timeoutMs = env.integer('UPSTREAM_TIMEOUT_MS')
    const logViewerUrl = env.url('LOG_VIEWER_URL')
    const logViewerApiKey = env.text('LOG_VIEWER_API_KEY')
    return {
      errorTrackerUrl,
      errorTrackerApiKey,
      metricsCollectorUrl,
      metricsCollectorApiKey,
      timeoutMs,
      ...(logViewerUrl && { logViewerUrl }),
      ...(logViewerApiKey && { logViewerApiKey }),
    }
  }
  context.logger.warn(
    `relay: ${[!local.errors && 'errors', !local.metrics && 'metrics'].filter(Boolean).join(' and ')} not running in this process and ERROR_TRACKER_URL, ERROR_TRACKER_API_KEY, METRICS_COLLECTOR_URL, METRICS_COLLECTOR_API_KEY not all set: those browser events are answered with 502`,
  )
  const unavailable = async (): Promise<never> => {
    throw new MonlightError('BAD_GATEWAY', 'Upstream error')
  }
  return {
    errors: local.errors ?? { ingest: unavailable },
    metrics: local.metrics ?? { ingest: unavailable },
    ...(localLogs && { logs: localLogs }),
  }
}

function hasIngest<T>(service: unknown): T | undefined {
  return typeof (service as { ingest?: unknown } | undefined)?.ingest === 'function'
    ? (service as T)
    : undefined
}

/** Upstream's DSN_KEYS: `project:key,...`, split at the first `:`; malformed entries are skipped with a warning. */
export function parseDsnKeys(entries: string[], logger: Logger): { project: string; publicKey: string }[] {
  const keys: { project: string; publicKey: string }[] = []
  for (const entry of entries) {
    const colon = entry.indexOf(':')
    const project = entry.slice(0, colon).trim()
    const publicKey = entry.slice(colon + 1).trim()
    if (colon === -1 || !project || !publicKey || project.length > 100 || publicKey.length > 64) {
      logger.warn(`DSN_KEYS: skipping malformed entry '${entry.slice(0, 80)}' (use project:key)`)
      continue
    }
    keys.push({ project, publicKey })
  }
  return keys
}

/**
 * SCRAPE_TARGETS: `[job=]url,...`, e.g. `shop=http://shop:9464/metrics,http://node:9100/metrics`; the relay's
 * option schema checks each URL and says what is wrong.
 */
export function parseScrapeTargets(
  entries: string[],
  intervalSeconds: number | undefined,
): { url: string; job?: string; intervalSeconds?: number }[] {
  return entries.map((entry) => {
    const match = /^([\w.-]+)=(.+)$/.exec(entry)
    return {
      url: match ? match[2]! : entry,
      ...(match && { job: match[1] }),
      ...(intervalSeconds !== undefined && { intervalSeconds }),
    }
  })
}
