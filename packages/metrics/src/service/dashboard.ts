import type { MetricRollupRow, MetricsStore, RollupRow, RollupTotal } from '../store/store.js'
import type { Coverage } from './aggregate.js'
import { entryOf } from './collections.js'
import { clampedQuantile, parseLabels, readWindow } from './query.js'
import { addStats, addTotal, emptyStats, mergeByBucket, type Stats } from './rollup.js'
import { RESOLUTION_MS, RESOLUTIONS, type Resolution, toIsoSeconds } from './time.js'

/** Web Vitals thresholds (good below the first, poor from the second), as web.dev and upstream use them. */
const VITALS = {
  lcp: { metric: 'web_vitals_lcp', good: 2500, poor: 4000 },
  inp: { metric: 'web_vitals_inp', good: 200, poor: 500 },
  cls: { metric: 'web_vitals_cls', good: 0.1, poor: 0.25 },
  fcp: { metric: 'web_vitals_fcp', good: 1800, poor: 3000 },
  ttfb: { metric: 'web_vitals_ttfb', good: 800, poor: 1800 },
} as const
type Vital = keyof typeof VITALS
const CORE_VITALS: Vital[] = ['lcp', 'inp', 'cls']
/** The core vitals by metric name: the dashboard splits them by page. */
const CORE_VITAL_OF = new Map<string, Vital>(CORE_VITALS.map((vital) => [VITALS[vital].metric, vital]))

const HTTP_REQUESTS = 'http_requests_total'
const HTTP_DURATION = 'http_request_duration_seconds'

export function rating(
  vital: Vital,
  value: number | null,
): 'good' | 'needs-improvement' | 'poor' | 'unknown' {
  if (value === null) return 'unknown'
  const { good, poor } = VITALS[vital]
  return value < good ? 'good' : value < poor ? 'needs-improvement' : 'poor'
}

const round4 = (value: number | null) => (value === null ? null : Number(value.toFixed(4)))

/** All buckets merged into one, or undefined when there are none. */
function overall(buckets: Map<number, Stats>, withSketch: boolean): Stats | undefined {
  if (buckets.size === 0) return undefined
  const total = emptyStats(withSketch)
  for (const stats of buckets.values()) addStats(total, stats)
  return total
}

/**
 * `GET /api/dashboard`: upstream's summary, top metrics and Web Vitals (rated on p75, as the field does), plus the
 * request rate, latency percentiles and error rate of the standard HTTP metrics, all from rollups.
 */
export async function buildDashboard(
  store: MetricsStore,
  params: { period?: string; project?: string },
  now: number,
  coverage: Coverage,
) {
  const window = readWindow(now, params.period)
  const project = params.project || undefined
  const counts = await store.countsByMetric(window.resolution, window.from, project)
  const dashboard: Record<string, unknown> = {
    period: window.period,
    resolution: window.resolution,
    summary: {
      total_datapoints: counts.reduce((total, row) => total + row.count, 0),
      distinct_metrics: new Set(counts.map((row) => row.name)).size,
    },
    top_metrics: counts.slice(0, 10).map((row) => ({ ...row, total: Number(row.total.toFixed(6)) })),
  }

  const names = [...Object.values(VITALS).map((v) => v.metric), HTTP_REQUESTS, HTTP_DURATION]
  const series = await store.series({ names, project })
  // Labels parsed once per series, not once per row.
  const labelsOf = new Map(series.map((s) => [s.id, parseLabels(s)]))
  // Whole-metric rollups for the time series and totals; series rollups only where a label splits the figures:
  // requests that failed, per bucket, and Web Vitals by page, over the whole window.
  const failing = series.filter(
    (s) => s.name === HTTP_REQUESTS && (labelsOf.get(s.id)!.status ?? '').startsWith('5'),
  )
  const paged = series.filter((s) => CORE_VITAL_OF.has(s.name))
  const { resolution, from, to } = window
  const [metricRows, failedRows, pageTotals] = await Promise.all([
    store.metricRollups({ names, project }, resolution, from, to),
    store.rollups(
      failing.map((s) => s.id),
      resolution,
      from,
      to,
    ),
    Promise.all(
      [...CORE_VITAL_OF.keys()].map((name) =>
        // Days older than the finest tier's retention may hold hours it no longer has: the summary's hours.
        windowTotals(
          store,
          paged.filter((s) => s.name === name).map((s) => s.id),
          resolution,
          Math.max(from, firstKeptBucket(coverage, name, resolution, now)),
          to,
        ),
      ),
    ).then((totals) => totals.flat()),
  ])
  const metrics = new Map<string, MetricRollupRow[]>()
  for (const row of metricRows) entryOf(metrics, row.name, () => []).push(row)
  const nameOf = new Map(series.map((s) => [s.id, s.name]))
  const vitals = webVitals(metrics, pageTotals, (id) => ({
    name: nameOf.get(id)!,
    page: labelsOf.get(id)!.page,
  }))
  if (vitals) dashboard.web_vitals = vitals
  dashboard.http = httpFigures(metrics, failedRows, RESOLUTION_MS[resolution] / 1000)
  return dashboard
}

/** The first bucket of `resolution` that retention has left whole for metric `name`. */
function firstKeptBucket(coverage: Coverage, name: string, resolution: Resolution, now: number): number {
  const cutoff = resolution === 'minute' ? coverage.minuteFrom(name, now) : coverage.hourFrom(name, now)
  const step = RESOLUTION_MS[resolution]
  return Math.ceil(cutoff / step) * step
}

/**
 * Per series, its rollups of [from, to) summed up, each part of the window read off the coarsest tier that
 * covers it (a series has a total per part): a 30-day window is 29 days and a few hours, not 720 hours.
 */
async function windowTotals(
  store: MetricsStore,
  seriesIds: readonly number[],
  resolution: Resolution,
  from: number,
  to: number,
): Promise<RollupTotal[]> {
  const parts = coarsestParts(resolution, from, to)
  const totals = await Promise.all(
    parts.map(([tier, start, end]) => store.rollupTotals(seriesIds, tier, start, end)),
  )
  return totals.flat()
}

/** [from, to) split into whole buckets of coarser tiers inside and of `resolution` at the edges. */
function coarsestParts(resolution: Resolution, from: number, to: number): [Resolution, number, number][] {
  const coarser = RESOLUTIONS[RESOLUTIONS.indexOf(resolution) + 1]
  if (coarser) {
    const step = RESOLUTION_MS[coarser]
    const start = Math.ceil(from / step) * step
    const end = Math.floor(to / step) * step
    if (start < end) {
      const edges: [Resolution, number, number][] = [
        [resolution, from, start],
        [resolution, end, to],
      ]
      return [...edges.filter(([, a, b]) => a < b), ...coarsestParts(coarser, start, end)]
    }
  }
  return [[resolution, from, to]]
}

function webVitals(
  metrics: Map<string, MetricRollupRow[]>,
  pageTotals: readonly RollupTotal[],
  seriesOf: (id: number) => { name: string; page: string | undefined },
) {
  if (!CORE_VITALS.some((vital) => metrics.has(VITALS[vital].metric))) return undefined
  const summary: Record<string, unknown> = {}
  const buckets = new Map<Vital, Map<number, Stats>>()
  for (const vital of Object.keys(VITALS) as Vital[]) {
    const rows = metrics.get(VITALS[vital].metric)
    if (!rows && !CORE_VITALS.includes(vital)) continue
    const byBucket = mergeByBucket(rows ?? [], true)
    buckets.set(vital, byBucket)
    const stats = overall(byBucket, true)
    const p75 = stats ? clampedQuantile(stats, 0.75) : null
    summary[vital] = {
      avg: stats ? round4(stats.sum / stats.count) : null,
      p75: round4(p75),
      count: stats?.count ?? 0,
      rating: rating(vital, p75),
    }
  }
  const pages = new Map<string, Partial<Record<Vital, Stats>>>()
  for (const total of pageTotals) {
    const { name, page } = seriesOf(total.series_id)
    const entry = entryOf(pages, page || '/', (): Partial<Record<Vital, Stats>> => ({}))
    const vital = CORE_VITAL_OF.get(name)!
    entry[vital] = addTotal(entry[vital] ?? emptyStats(true), total)
  }

  const perBucket = new Map<number, Record<string, unknown>>()
  for (const vital of CORE_VITALS) {
    for (const [bucket, stats] of buckets.get(vital)!) {
      const entry = entryOf(perBucket, bucket, () => ({
        bucket: toIsoSeconds(bucket),
        lcp: null,
        inp: null,
        cls: null,
        count: 0,
      }))
      entry[vital] = round4(clampedQuantile(stats, 0.75))
      entry.count = (entry.count as number) + stats.count
    }
  }

  const byPage = [...pages].map(([page, stats]) => {
    const p75 = (vital: Vital) => {
      const merged = stats[vital]
      return merged ? round4(clampedQuantile(merged, 0.75)) : null
    }
    return { page, lcp: p75('lcp'), inp: p75('inp'), cls: p75('cls'), page_views: stats.lcp?.count ?? 0 }
  })
  byPage.sort((a, b) => b.page_views - a.page_views || a.page.localeCompare(b.page))

  return {
    summary,
    timeseries: [...perBucket].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry),
    by_page: byPage.slice(0, 20),
  }
}

function httpFigures(
  metrics: Map<string, MetricRollupRow[]>,
  failedRequests: readonly RollupRow[],
  bucketSeconds: number,
) {
  const all = mergeByBucket(metrics.get(HTTP_REQUESTS) ?? [], false)
  const errors = mergeByBucket(failedRequests, false)
  const latency = mergeByBucket(metrics.get(HTTP_DURATION) ?? [], true)
  const buckets = [...new Set([...all.keys(), ...latency.keys()])].sort((a, b) => a - b)
  const total = [...all.values()].reduce((sum, stats) => sum + stats.sum, 0)
  const failed = [...errors.values()].reduce((sum, stats) => sum + stats.sum, 0)
  const latencyAll = overall(latency, true)
  return {
    requests: total,
    error_rate: total > 0 ? round4(failed / total) : null,
    p50: latencyAll ? clampedQuantile(latencyAll, 0.5) : null,
    p95: latencyAll ? clampedQuantile(latencyAll, 0.95) : null,
    p99: latencyAll ? clampedQuantile(latencyAll, 0.99) : null,
    timeseries: buckets.map((bucket) => {
      const count = all.get(bucket)?.sum ?? 0
      const stats = latency.get(bucket)
      return {
        bucket: toIsoSeconds(bucket),
        request_rate: round4(count / bucketSeconds),
        error_rate: count > 0 ? round4((errors.get(bucket)?.sum ?? 0) / count) : null,
        p50: stats ? clampedQuantile(stats, 0.5) : null,
        p95: stats ? clampedQuantile(stats, 0.95) : null,
        p99: stats ? clampedQuantile(stats, 0.99) : null,
      }
    }),
  }
}
