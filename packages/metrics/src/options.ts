import {
  apiKeysOption,
  type Database,
  type Logger,
  moduleAppOptionsSchema,
  resolveOptions,
  silentLogger,
} from '@monlight/core'
import * as z from 'zod'

const hours = z.number().positive()
const tierSchema = z.strictObject({
  /** Raw points are kept this many hours after they arrive. */
  rawHours: hours.optional(),
  minuteHours: hours.optional(),
  hourlyDays: hours.optional(),
})

export const metricsOptionsSchema = z.strictObject({
  /** From core's `createDatabase()`; the host owns it and closes it. */
  database: z.custom<Database>(
    (value) => typeof value === 'object' && value !== null && 'db' in value && 'dialect' in value,
    'database must come from createDatabase() of @monlight/core',
  ),
  /** Keys accepted in `X-API-Key`; `false` when the host authenticates requests itself. */
  apiKeys: apiKeysOption,
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).default(silentLogger),
  rateLimit: moduleAppOptionsSchema.shape.rateLimit,
  /** Seconds between aggregation runs (upstream AGGREGATION_INTERVAL). Default 60. */
  aggregationIntervalSeconds: z.number().positive().default(60),
  /** Upstream RETENTION_RAW (hours), RETENTION_MINUTE (hours), RETENTION_HOURLY (days), plus per-metric overrides. */
  retention: z
    .strictObject({
      rawHours: hours.default(1),
      minuteHours: hours.default(24),
      hourlyDays: hours.default(30),
      overrides: z.record(z.string().min(1), tierSchema).default({}),
      /** Seconds between retention runs. Default: every 60 aggregation intervals, as upstream. */
      intervalSeconds: z.number().positive().optional(),
    })
    .prefault({}),
  /** Label keys dropped at ingest: the browser SDK's `session_id` would otherwise make a series per visit. */
  ignoreLabels: z.array(z.string()).default(['session_id']),
  /** Text exposition for Prometheus scrapers; `false` turns it off. */
  prometheus: z
    .union([
      z.literal(false),
      z.strictObject({
        path: z.string().startsWith('/').default('/metrics/prometheus'),
        /** Series with a point in this many minutes are exposed. Default 15. */
        activeMinutes: z.number().positive().default(15),
      }),
    ])
    .prefault({}),
  /** Injectable clock (epoch ms), for tests. */
  now: z.custom<() => number>((value) => typeof value === 'function').default(() => Date.now),
})

export type MetricsOptions = z.input<typeof metricsOptionsSchema>
export type ResolvedMetricsOptions = z.output<typeof metricsOptionsSchema>

export function resolveMetricsOptions(input: MetricsOptions): ResolvedMetricsOptions {
  return resolveOptions('@monlight/metrics', metricsOptionsSchema, input)
}
