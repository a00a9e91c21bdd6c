import {
  type ErrorIngest,
  type Logger,
  type MetricsIngest,
  MonlightConfigError,
  MonlightError,
  type MonlightModule,
} from '@monlight/core'
import type { ModuleContext } from '../modules.js'

// Loaded by name at run time so the server's bundle keeps @monlight/relay external: bundled, the module would
// look for its web UI (dist/ui) relative to the server's files.
const RELAY_PACKAGE = '@monlight/relay'

/**
 * Builds the browser relay of the standalone stack. Upstream's variables: ADMIN_API_KEY (default: the stack's
 * API keys), CORS_ORIGINS, DSN_KEYS (`project:key,...`), ERROR_TRACKER_URL / ERROR_TRACKER_API_KEY and
 * METRICS_COLLECTOR_URL / METRICS_COLLECTOR_API_KEY (used only when the errors / metrics modules do not run in
 * this process), RATE_LIMIT (per DSN key and minute; RELAY_RATE_LIMIT wins, as RATE_LIMIT also sets the other
 * modules'); ours: SOURCE_MAP_MAX_BYTES, SOURCE_MAP_RETENTION_DAYS, SOURCE_MAP_CACHE_SIZE, UPSTREAM_TIMEOUT_MS.
 */
export async function createRelaySlot(context: ModuleContext): Promise<MonlightModule> {
  const { createRelay } = (await import(RELAY_PACKAGE)) as typeof import('@monlight/relay')
  const read = (name: string) => context.env[name]?.trim() || undefined
  const admin = list(read('ADMIN_API_KEY'))
  return createRelay({
    database: context.database,
    apiKeys: admin.length > 0 ? admin : context.apiKeys,
    logger: context.logger,
    corsOrigins: list(read('CORS_ORIGINS'))
      .filter((origin) => origin.length <= 256)
      .slice(0, 32),
    dsnKeys: parseDsnKeys(read('DSN_KEYS'), context.logger),
    forward: forwardOptions(context, read),
    rateLimit: integer(read, read('RELAY_RATE_LIMIT') ? 'RELAY_RATE_LIMIT' : 'RATE_LIMIT'),
    sourceMaps: {
      maxBytes: integer(read, 'SOURCE_MAP_MAX_BYTES'),
      retentionDays: integer(read, 'SOURCE_MAP_RETENTION_DAYS'),
      cacheSize: integer(read, 'SOURCE_MAP_CACHE_SIZE'),
    },
  })
}

type Read = (name: string) => string | undefined

/** In-process when the errors and metrics modules run here; over HTTP when their URLs are set. */
function forwardOptions(context: ModuleContext, read: Read) {
  const errors = context.modules.get('errors')?.service
  const metrics = context.modules.get('metrics')?.service
  const local = { errors: hasIngest<ErrorIngest>(errors), metrics: hasIngest<MetricsIngest>(metrics) }
  if (local.errors && local.metrics) return { errors: local.errors, metrics: local.metrics }
  const remote = [
    'ERROR_TRACKER_URL',
    'ERROR_TRACKER_API_KEY',
    'METRICS_COLLECTOR_URL',
    'METRICS_COLLECTOR_API_KEY',
  ]
  if (remote.every((name) => read(name))) {
    return {
      errorTrackerUrl: read('ERROR_TRACKER_URL')!,
      errorTrackerApiKey: read('ERROR_TRACKER_API_KEY')!,
      metricsCollectorUrl: read('METRICS_COLLECTOR_URL')!,
      metricsCollectorApiKey: read('METRICS_COLLECTOR_API_KEY')!,
      timeoutMs: integer(read, 'UPSTREAM_TIMEOUT_MS'),
    }
  }
  context.logger.warn(
    `relay: ${[!local.errors && 'errors', !local.metrics && 'metrics'].filter(Boolean).join(' and ')} not running in this process and ${remote.join(', ')} not all set: those browser events are answered with 502`,
  )
  const unavailable = async (): Promise<never> => {
    throw new MonlightError('BAD_GATEWAY', 'Upstream error')
  }
  return {
    errors: local.errors ?? { ingest: unavailable },
    metrics: local.metrics ?? { ingest: unavailable },
  }
}

function hasIngest<T>(service: unknown): T | undefined {
  return typeof (service as { ingest?: unknown } | undefined)?.ingest === 'function'
    ? (service as T)
    : undefined
}

/** Upstream's DSN_KEYS: `project:key,...`, split at the first `:`; malformed entries are skipped with a warning. */
export function parseDsnKeys(
  value: string | undefined,
  logger: Logger,
): { project: string; publicKey: string }[] {
  const keys: { project: string; publicKey: string }[] = []
  for (const entry of list(value)) {
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

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

function integer(read: Read, name: string): number | undefined {
  const value = read(name)
  if (value === undefined) return undefined
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(parsed >= 1 && parsed <= Number.MAX_SAFE_INTEGER)) {
    throw new MonlightConfigError(`${name}=${value} is invalid: use a positive integer`)
  }
  return parsed
}
