import { MonlightError } from '@monlight/core'
import type { MetricRollupRow, MetricsStore, RollupRow, SeriesRow } from '../store/store.js'
import { entryOf } from './collections.js'
import { mergeByBucket, type Stats } from './rollup.js'
import { quantile } from './sketch.js'
import { bucketStart, DAY_MS, parsePeriod, RESOLUTION_MS, type Resolution, toIsoSeconds } from './time.js'

export interface QueryParams {
  name?: string
  period?: string
  resolution?: string
  labels?: string
  group_by?: string
  project?: string
}

/** One bucket on the API: upstream's fields plus `last` (gauges) and `rate` (counters, per second). */
export interface BucketPoint {
  bucket: string
  count: number
  sum: number
  min: number
  max: number
  avg: number
  last: number
  rate?: number
  p50: number | null
  p95: number | null
  p99: number | null
}

const bad = (parameter: string, why: string) =>
  new MonlightError('VALIDATION_FAILED', `Invalid parameter '${parameter}': ${why}`)

export interface Window {
  period: string
  resolution: Resolution
  from: number
  to: number
}

/** Reads `period` (default 24h) and `resolution` (auto: minute up to a day, hour beyond). */
export function readWindow(now: number, period = '24h', resolution = 'auto'): Window {
  const ms = parsePeriod(period)
  if (ms === undefined) throw bad('period', 'use <n><s|m|h|d>, e.g. 90s, 15m, 24h or 7d (at most 3650d)')
  if (resolution !== 'auto' && resolution !== 'minute' && resolution !== 'hour') {
    throw bad('resolution', 'use minute, hour or auto')
  }
  const chosen: Resolution = resolution === 'auto' ? (ms <= DAY_MS ? 'minute' : 'hour') : resolution
  return { period, resolution: chosen, from: bucketStart(now - ms, chosen), to: now + 1 }
}

/** `method:GET,status:200` → `{method:'GET',status:'200'}` (split at the first colon of each pair). */
export function parseLabelFilter(text: string | undefined): Record<string, string> {
  const filter: Record<string, string> = {}
  if (!text) return filter
  for (const pair of text.split(',')) {
    const at = pair.indexOf(':')
    if (at <= 0)
      throw bad('labels', `'${pair.slice(0, 64)}' is not key:value; use e.g. method:GET,status:200`)
    filter[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return filter
}

export function parseLabels(series: SeriesRow): Record<string, string> {
  try {
    return JSON.parse(series.labels) as Record<string, string>
  } catch {
    return {}
  }
}

const matches = (labels: Record<string, string>, filter: Record<string, string>) =>
  Object.entries(filter).every(([key, value]) => labels[key] === value)

const round = (value: number | undefined, digits = 6) =>
  value === undefined ? null : Number(value.toFixed(digits))

export function toBucketPoint(
  bucket: number,
  stats: Stats,
  resolution: Resolution,
  counter: boolean,
): BucketPoint {
  const point: BucketPoint = {
    bucket: toIsoSeconds(bucket),
    count: stats.count,
    sum: round(stats.sum)!,
    min: round(stats.min)!,
    max: round(stats.max)!,
    avg: round(stats.count ? stats.sum / stats.count : 0)!,
    last: round(stats.last)!,
    p50: stats.sketch ? clampedQuantile(stats, 0.5) : null,
    p95: stats.sketch ? clampedQuantile(stats, 0.95) : null,
    p99: stats.sketch ? clampedQuantile(stats, 0.99) : null,
  }
  if (counter) point.rate = round(stats.sum / (RESOLUTION_MS[resolution] / 1000))!
  return point
}

/** A sketch quantile, kept within the exact min and max of the bucket. */
export function clampedQuantile(stats: Stats, q: number): number | null {
  const value = stats.sketch ? quantile(stats.sketch, q) : undefined
  return value === undefined ? null : round(Math.min(stats.max, Math.max(stats.min, value)))
}

/** `GET /api/metrics`: one metric's buckets, merged over its matching series, optionally split by a label. */
export async function queryMetric(store: MetricsStore, params: QueryParams, now: number) {
  if (!params.name) throw new MonlightError('VALIDATION_FAILED', 'Missing required parameter: name')
  const window = readWindow(now, params.period, params.resolution)
  const filter = parseLabelFilter(params.labels)
  if (params.group_by !== undefined && (params.group_by === '' || params.group_by.length > 100)) {
    throw bad('group_by', 'name one label key, e.g. group_by=endpoint')
  }
  const series = (await store.series({ name: params.name, project: params.project })).filter((s) =>
    matches(parseLabels(s), filter),
  )
  const type = series[0]?.type ?? null
  // Without a label filter or a split, the whole-metric rollups already hold each bucket merged.
  const whole = Object.keys(filter).length === 0 && !params.group_by
  const seriesRows = whole
    ? []
    : await store.rollups(
        series.map((s) => s.id),
        window.resolution,
        window.from,
        window.to,
      )
  const rows = whole
    ? await store.metricRollups(
        { names: [params.name], project: params.project },
        window.resolution,
        window.from,
        window.to,
      )
    : seriesRows
  const histogram = series.some((s) => s.type === 'histogram')
  const counter = type === 'counter'
  const points = (subset: readonly (RollupRow | MetricRollupRow)[]) =>
    [...mergeByBucket(subset, histogram)].map(([bucket, stats]) =>
      toBucketPoint(bucket, stats, window.resolution, counter),
    )
  const response: Record<string, unknown> = {
    name: params.name,
    type,
    resolution: window.resolution,
    period: window.period,
    data: points(rows),
  }
  if (params.group_by) {
    const key = params.group_by
    const groupOf = new Map(series.map((s) => [s.id, parseLabels(s)[key] ?? '']))
    const groups = new Map<string, RollupRow[]>()
    for (const row of seriesRows) {
      const value = groupOf.get(row.series_id)!
      const list = entryOf(groups, value, () => [])
      list.push(row)
    }
    response.group_by = key
    response.series = [...groups]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([value, subset]) => ({ labels: { [key]: value }, data: points(subset) }))
  }
  return response
}

/** `GET /api/metrics/labels`: label keys and their values for one metric, from the series catalog. */
export async function labelValues(store: MetricsStore, name: string | undefined, project?: string) {
  if (!name) throw new MonlightError('VALIDATION_FAILED', 'Missing required parameter: name')
  const values = new Map<string, Set<string>>()
  for (const series of await store.series({ name, project })) {
    for (const [key, value] of Object.entries(parseLabels(series)))
      entryOf(values, key, () => new Set()).add(value)
  }
  const labels: Record<string, string[]> = {}
  for (const key of [...values.keys()].sort()) labels[key] = [...values.get(key)!].sort().slice(0, 1000)
  return { name, labels }
}
