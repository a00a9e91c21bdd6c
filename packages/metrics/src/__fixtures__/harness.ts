import type { MetricPoint, MonlightModule } from '@monlight/core'
import { createTestDatabase, type TestDatabase, type TestDialect } from '@monlight/test-utils'
import { createMetrics, type MetricsOptions, type MetricsService } from '../index.js'

export const T0 = Date.UTC(2026, 0, 20, 10, 0, 0)
export const API_KEY = 'test-key'

export interface Harness {
  database: TestDatabase
  metrics: MonlightModule<MetricsService>
  service: MetricsService
  /** The module's clock (epoch ms); tests move it. */
  clock: { now: number }
  reset(): Promise<void>
  close(): Promise<void>
}

/** A migrated metrics module over a fresh test database, with a clock the test controls. */
export async function createHarness(
  dialect: TestDialect,
  options: Partial<MetricsOptions> = {},
): Promise<Harness> {
  const database = await createTestDatabase(dialect)
  const clock = { now: T0 }
  const build = () => createMetrics({ database, apiKeys: [API_KEY], now: () => clock.now, ...options })
  const harness: Harness = {
    database,
    metrics: build(),
    get service() {
      return harness.metrics.service!
    },
    clock,
    async reset() {
      clock.now = T0
      for (const table of ['raw_chunk', 'rollup', 'metric_rollup', 'series', 'state']) {
        await database.db.deleteFrom(`monlight_metrics_${table}`).execute()
      }
      // A new module: the old one's series-id cache names deleted series.
      harness.metrics = build()
    },
    close: () => database.destroy(),
  }
  await harness.metrics.migrate()
  return harness
}

export const point = (name: string, value: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  name,
  type: 'histogram',
  value,
  ...extra,
})

/** Nearest-rank percentile of raw values, upstream's definition: sorted[ceil(p·n) − 1]. */
export function exactPercentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!
}
