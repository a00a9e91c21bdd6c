import { MonlightConfigError, type MonlightModule } from '@monlight/core'
import type { ModuleContext } from '../modules.js'

// Loaded by name at run time so the server's bundle keeps @monlight/metrics external: bundled, the module would
// look for its web UI (dist/ui) relative to the server's files.
const METRICS_PACKAGE = '@monlight/metrics'
const TIERS = { raw: 'rawHours', minute: 'minuteHours', hourly: 'hourlyDays' } as const

/**
 * Builds the metrics module of the standalone stack. Upstream's variables: RETENTION_RAW (hours),
 * RETENTION_MINUTE (hours), RETENTION_HOURLY (days), AGGREGATION_INTERVAL (seconds); ours: RETENTION_OVERRIDES
 * (`metric:tier=value,...`, tiers raw, minute, hourly), PROMETHEUS_PATH (`off` disables it), RATE_LIMIT
 * (requests per minute per key and per address).
 */
export async function createMetricsSlot(context: ModuleContext): Promise<MonlightModule> {
  const { createMetrics } = (await import(METRICS_PACKAGE)) as typeof import('@monlight/metrics')
  const read = (name: string) => context.env[name]?.trim() || undefined
  const rateLimit = positive(read, 'RATE_LIMIT', true)
  const prometheusPath = read('PROMETHEUS_PATH')
  return createMetrics({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    rateLimit: rateLimit ? { perKey: rateLimit, perAddress: rateLimit } : false,
    aggregationIntervalSeconds: positive(read, 'AGGREGATION_INTERVAL'),
    retention: {
      rawHours: positive(read, 'RETENTION_RAW'),
      minuteHours: positive(read, 'RETENTION_MINUTE'),
      hourlyDays: positive(read, 'RETENTION_HOURLY'),
      overrides: parseOverrides(read('RETENTION_OVERRIDES')),
    },
    prometheus: prometheusPath === 'off' ? false : { path: checkPath(prometheusPath) },
  })
}

/** A positive number from a variable (an integer when `whole`), or undefined when unset. */
function positive(
  read: (name: string) => string | undefined,
  name: string,
  whole = false,
): number | undefined {
  const value = read(name)
  if (value === undefined) return undefined
  const number = Number(value)
  if (!(number > 0) || (whole && !Number.isInteger(number))) {
    throw new MonlightConfigError(
      `${name}=${value} is invalid: use a positive ${whole ? 'integer' : 'number'}`,
    )
  }
  return number
}

/** `web_vitals_lcp:hourly=90,debug_gauge:raw=0.5` → per-metric retention overrides. */
function parseOverrides(value: string | undefined) {
  const overrides: Record<string, Partial<Record<(typeof TIERS)[keyof typeof TIERS], number>>> = {}
  for (const entry of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^(.+):(raw|minute|hourly)=(.+)$/.exec(entry)
    const amount = Number(match?.[3])
    if (!match || !(amount > 0)) {
      throw new MonlightConfigError(
        `RETENTION_OVERRIDES entry '${entry}' is invalid: use metric:tier=value with tier raw (hours), minute (hours) or hourly (days), e.g. web_vitals_lcp:hourly=90`,
      )
    }
    const tiers = overrides[match[1]!] ?? {}
    tiers[TIERS[match[2] as keyof typeof TIERS]] = amount
    overrides[match[1]!] = tiers
  }
  return overrides
}

function checkPath(path: string | undefined): string | undefined {
  if (path !== undefined && !path.startsWith('/')) {
    throw new MonlightConfigError(`PROMETHEUS_PATH=${path} is invalid: use a path starting with /, or off`)
  }
  return path
}
