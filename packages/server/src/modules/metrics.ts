import { MonlightConfigError, type MonlightModule } from '@monlight/core'
import { createMetrics } from '@monlight/metrics'
import type { ModuleContext } from '../modules.js'
import { envReader } from './env.js'

const TIERS = { raw: 'rawHours', minute: 'minuteHours', hourly: 'hourlyDays' } as const

/**
 * Builds the metrics module of the standalone stack. Upstream's variables: RETENTION_RAW (hours),
 * RETENTION_MINUTE (hours), RETENTION_HOURLY (days), AGGREGATION_INTERVAL (seconds); ours: RETENTION_OVERRIDES
 * (`metric:tier=value,...`, tiers raw, minute, hourly), PROMETHEUS_PATH (`off` disables it), RATE_LIMIT
 * (requests per minute per key and per address).
 */
export function createMetricsSlot(context: ModuleContext): MonlightModule {
  const env = envReader(context.env)
  const rateLimit = env.integer('RATE_LIMIT')
  const prometheusPath = env.text('PROMETHEUS_PATH')
  return createMetrics({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    rateLimit: rateLimit ? { perKey: rateLimit, perAddress: rateLimit } : false,
    aggregationIntervalSeconds: env.positive('AGGREGATION_INTERVAL'),
    retention: {
      rawHours: env.positive('RETENTION_RAW'),
      minuteHours: env.positive('RETENTION_MINUTE'),
      hourlyDays: env.positive('RETENTION_HOURLY'),
      overrides: parseOverrides(env.list('RETENTION_OVERRIDES')),
    },
    prometheus: prometheusPath === 'off' ? false : { path: checkPath(prometheusPath) },
  })
}

/** `web_vitals_lcp:hourly=90,debug_gauge:raw=0.5` → per-metric retention overrides. */
function parseOverrides(entries: string[]) {
  const overrides: Record<string, Partial<Record<(typeof TIERS)[keyof typeof TIERS], number>>> = {}
  for (const entry of entries) {
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
