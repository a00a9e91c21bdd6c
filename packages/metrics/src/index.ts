/**
 * @module @monlight/metrics
 *
 * Metrics for Node apps and the Monlight stack: ingestion (upstream's `POST /api/metrics`), a series catalog,
 * minute and hour rollups with mergeable percentile sketches, tiered retention, the dashboard, Prometheus text
 * exposition and a uPlot web UI.
 *
 * @example
 * const metrics = createMetrics({ database, apiKeys: ['…'] })
 * await metrics.migrate()
 * const stop = metrics.start()
 * metrics.service.histogram('job_seconds', 1.25, { job: 'import' })
 */
import { createScheduler, type MonlightModule, migrate } from '@monlight/core'
import { type MetricsOptions, resolveMetricsOptions } from './options.js'
import { createMetricsRouter } from './router/router.js'
import { migrations } from './schema/migrations.js'
import { importUpstreamMetrics } from './service/import-upstream.js'
import { createMetricsService, type MetricsService } from './service/service.js'
import { createMetricsStore } from './store/store.js'

export type { MetricPoint, MetricsIngest, MetricType } from '@monlight/core'
export { type MetricsOptions, metricsOptionsSchema } from './options.js'
export type { MetricsService } from './service/service.js'
export { ACCURACY as SKETCH_ACCURACY } from './service/sketch.js'

export function createMetrics(input: MetricsOptions): MonlightModule<MetricsService> {
  const options = resolveMetricsOptions(input)
  const { database, logger } = options
  const service = createMetricsService(createMetricsStore(database, logger), options)
  const router = createMetricsRouter(service, options)
  const intervalMs = options.aggregationIntervalSeconds * 1000

  return {
    name: 'metrics',
    service,
    router,
    fetch: async (request) => router.fetch(request),
    migrate: () => migrate(database.db, { module: 'metrics', migrations, dialect: database.dialect, logger }),
    importUpstream: (source) =>
      importUpstreamMetrics(service.ingest, async () => (await service.names()).metrics.length === 0, source),
    start() {
      const stop = createScheduler({ name: 'metrics', database, logger })
        .add({
          name: 'aggregate',
          intervalMs,
          runOnStart: false,
          run: () => service.aggregate().then(() => {}),
        })
        .add({
          name: 'retention',
          intervalMs: (options.retention.intervalSeconds ?? options.aggregationIntervalSeconds * 60) * 1000,
          run: () => service.applyRetention().then(() => {}),
        })
        .start()
      return async () => {
        await stop()
        await service.flush()
      }
    },
  }
}
