import type { MetricsStore, RollupRow } from '../store/store.js'
import { entryOf } from './collections.js'
import { clampedQuantile, mergeByBucket, parseLabels, readWindow } from './query.js'
import { addRollup, addStats, emptyStats, type Stats } from './rollup.js'
import { RESOLUTION_MS, toIsoSeconds } from './time.js'

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

  const series = await store.series({
    names: [...Object.values(VITALS).map((v) => v.metric), HTTP_REQUESTS, HTTP_DURATION],
    project,
  })
  const rows = await store.rollups(
    series.map((s) => s.id),
    window.resolution,
    window.from,
    window.to,
  )
  const rowsByName = new Map<string, RollupRow[]>()
  const nameOf = new Map(series.map((s) => [s.id, s.name]))
  // Labels parsed once per series, not once per row.
  const labelsOf = new Map(series.map((s) => [s.id, parseLabels(s)]))
  for (const row of rows) entryOf(rowsByName, nameOf.get(row.series_id)!, () => []).push(row)
  const vitals = webVitals(rowsByName, labelsOf)
  if (vitals) dashboard.web_vitals = vitals
  dashboard.http = httpFigures(rowsByName, labelsOf, RESOLUTION_MS[window.resolution] / 1000)
  return dashboard
}

type LabelsById = Map<number, Record<string, string>>

function webVitals(rowsByName: Map<string, RollupRow[]>, labelsOf: LabelsById) {
  if (!CORE_VITALS.some((vital) => rowsByName.has(VITALS[vital].metric))) return undefined
  const summary: Record<string, unknown> = {}
  const buckets = new Map<Vital, Map<number, Stats>>()
  // Per page, the core vitals' stats: each row's sketch is decoded once, for its bucket and for its page.
  const pages = new Map<string, Partial<Record<Vital, Stats>>>()
  for (const vital of Object.keys(VITALS) as Vital[]) {
    const rows = rowsByName.get(VITALS[vital].metric)
    if (!rows && !CORE_VITALS.includes(vital)) continue
    const byBucket = new Map<number, Stats>()
    const perPage = CORE_VITALS.includes(vital)
    for (const row of rows ?? []) {
      const stats = addRollup(emptyStats(true), row)
      addStats(
        entryOf(byBucket, row.bucket, () => emptyStats(true)),
        stats,
      )
      if (perPage) {
        const entry = entryOf(
          pages,
          labelsOf.get(row.series_id)!.page || '/',
          (): Partial<Record<Vital, Stats>> => ({}),
        )
        entry[vital] = entry[vital] ? addStats(entry[vital], stats) : stats
      }
    }
    buckets.set(vital, new Map([...byBucket].sort((a, b) => a[0] - b[0])))
    const stats = overall(byBucket, true)
    const p75 = stats ? clampedQuantile(stats, 0.75) : null
    summary[vital] = {
      avg: stats ? round4(stats.sum / stats.count) : null,
      p75: round4(p75),
      count: stats?.count ?? 0,
      rating: rating(vital, p75),
    }
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

function httpFigures(rowsByName: Map<string, RollupRow[]>, labelsOf: LabelsById, bucketSeconds: number) {
  const requests = rowsByName.get(HTTP_REQUESTS) ?? []
  const durations = rowsByName.get(HTTP_DURATION) ?? []
  const isError = (row: RollupRow) => (labelsOf.get(row.series_id)!.status ?? '').startsWith('5')
  const all = mergeByBucket(requests, false)
  const errors = mergeByBucket(requests.filter(isError), false)
  const latency = mergeByBucket(durations, true)
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
