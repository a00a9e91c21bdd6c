import type { MetricPoint, MetricsIngest, MetricType } from '@monlight/core'
import type { ResolvedMetricsOptions } from '../options.js'
import type { MetricsStore } from '../store/store.js'
import { type AggregateResult, aggregate } from './aggregate.js'
import { buildDashboard } from './dashboard.js'
import { renderPrometheus } from './prometheus.js'
import { labelValues, type QueryParams, queryMetric } from './query.js'
import { createResultCache } from './result-cache.js'
import { applyRetention, coverageFor } from './retention.js'
import { bucketStart, DAY_MS, toIsoSeconds } from './time.js'
import { type CleanPoint, MAX_BATCH, validateBatch } from './validate.js'

/** Points `record()` buffers before it writes them; also the flush size. */
const RECORD_BUFFER = MAX_BATCH
const RECORD_FLUSH_MS = 1000
/** State key of the time aggregation last ran (epoch ms). */
const AGGREGATED_AT_KEY = 'aggregated_at'

/** The metrics module's in-process API. `ingest()` is core's {@link MetricsIngest}. */
export interface MetricsService extends MetricsIngest {
  /** Validates and stores a batch (1–1000 points) in one transaction. */
  ingest(points: readonly MetricPoint[]): Promise<{ count: number }>
  /** Validates one point now and stores it with the next batch (within a second, or at 1000 points). */
  record(point: MetricPoint): void
  counter(name: string, value?: number, labels?: MetricPoint['labels']): void
  gauge(name: string, value: number, labels?: MetricPoint['labels']): void
  histogram(name: string, value: number, labels?: MetricPoint['labels']): void
  /** Writes what `record()` buffered. */
  flush(): Promise<void>
  /** Runs aggregation now (the background job calls it every AGGREGATION_INTERVAL). */
  aggregate(): Promise<AggregateResult>
  applyRetention(): Promise<{ raw: number; minute: number; hour: number; day: number }>
  query(params: QueryParams): Promise<Record<string, unknown>>
  names(project?: string): Promise<{ metrics: { name: string; type: string }[] }>
  labels(
    name: string | undefined,
    project?: string,
  ): Promise<{ name: string; labels: Record<string, string[]> }>
  projects(): Promise<{ projects: string[] }>
  dashboard(params: { period?: string; project?: string }): Promise<Record<string, unknown>>
  prometheus(): Promise<string>
  health(): Promise<{
    metrics_received_24h: number
    last_aggregation: string | null
    aggregated_at: string | null
  }>
}

export function createMetricsService(store: MetricsStore, options: ResolvedMetricsOptions): MetricsService {
  const now = options.now
  const ignored = new Set(options.ignoreLabels)
  const coverage = coverageFor(options.retention)
  let buffer: CleanPoint[] = []
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()
  const results = createResultCache(options.aggregationIntervalSeconds * 1000, now)
  const changedRollups = <T>(result: T) => {
    results.clear()
    return result
  }

  const clean = (points: readonly unknown[]) => validateBatch(points, now(), ignored)
  const write = async (points: CleanPoint[]) => ({ count: await store.writePoints(points, now()) })

  const flush = (): Promise<void> => {
    clearTimeout(timer)
    timer = undefined
    const batch = buffer
    buffer = []
    if (batch.length > 0) {
      flushing = flushing
        .then(() => write(batch))
        .then(
          () => {},
          (error) =>
            options.logger.error('recorded metrics could not be stored', { error, points: batch.length }),
        )
    }
    return flushing
  }

  const record = (point: MetricPoint) => {
    buffer.push(...clean([point]))
    if (buffer.length >= RECORD_BUFFER) void flush()
    else if (!timer) {
      timer = setTimeout(() => void flush(), RECORD_FLUSH_MS)
      timer.unref()
    }
  }
  const helper = (type: MetricType) => (name: string, value: number, labels?: MetricPoint['labels']) =>
    record({ name, type, value, labels })

  return {
    ingest: async (points) => write(clean(points)),
    record,
    counter: (name, value = 1, labels) => record({ name, type: 'counter', value, labels }),
    gauge: helper('gauge'),
    histogram: helper('histogram'),
    flush,
    async aggregate() {
      const result = await aggregate(store, now(), coverage).then(changedRollups)
      await store.setState(AGGREGATED_AT_KEY, now())
      return result
    },
    applyRetention: () => applyRetention(store, options.retention, now()).then(changedRollups),
    query: (params) =>
      results.get(`query|${JSON.stringify(params)}`, () => queryMetric(store, params, now())),
    names: async (project) => ({ metrics: await store.names(project) }),
    labels: (name, project) => labelValues(store, name, project),
    projects: async () => ({ projects: await store.projects() }),
    dashboard: (params) =>
      results.get(`dashboard|${JSON.stringify(params)}`, () =>
        buildDashboard(store, params, now(), coverage),
      ),
    prometheus: () =>
      renderPrometheus(store, now(), (options.prometheus ? options.prometheus.activeMinutes : 15) * 60_000),
    async health() {
      const counts = await store.countsByMetric('hour', bucketStart(now() - DAY_MS, 'hour'))
      const last = await store.lastRollupBucket()
      const ran = await store.getState(AGGREGATED_AT_KEY)
      return {
        metrics_received_24h: counts.reduce((total, row) => total + row.count, 0),
        // Upstream's: the newest rollup bucket. `aggregated_at`: when aggregation last ran (every minute).
        last_aggregation: last === undefined ? null : toIsoSeconds(last),
        aggregated_at: ran === undefined ? null : new Date(ran).toISOString(),
      }
    },
  }
}
