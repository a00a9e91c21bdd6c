import type { MetricPoint } from '@monlight/core'
import type { Forwarder } from '../service/forward.js'

/**
 * What the metric receivers (OTLP, Prometheus remote_write and scrapes) share on the way to the metrics store:
 * cumulative series turned into the increments the store takes, histogram buckets turned into weighted points,
 * points kept within the store's limits, and batches of the store's size.
 */

/** The metrics store's own limits (packages/metrics validate.ts): a point beyond them would fail its whole batch. */
export const POINT_LIMITS = {
  batch: 1000,
  nameBytes: 200,
  labels: 32,
  labelKeyLength: 100,
  labelValueLength: 500,
  magnitude: 1e300,
} as const

/**
 * Remembers the last cumulative values of each series (an OTLP cumulative sum or histogram, a Prometheus counter)
 * and answers the increment since then, as an OpenTelemetry Collector's cumulativetodelta processor does.
 *
 * - A value below the previous one, or a new start time, is a reset (the process restarted): the whole new
 *   value is the increment, as Prometheus' `rate()` counts it.
 * - The first value of a series is only a baseline (what was counted before we saw it is unknown), unless its
 *   start time is after this tracker began: then it all happened while we were listening and counts in full.
 * - At most `maxSeries` series are remembered (least recently used first out); a forgotten series starts over
 *   with a baseline.
 */
export interface CumulativeTracker {
  /** The increments of `values` (one per bucket, or one for a counter) since the series' last point, or `undefined` for a baseline. */
  increments(series: string, values: readonly number[], startTimeMs: number | undefined): number[] | undefined
  readonly size: number
}

interface SeriesState {
  values: readonly number[]
  startTimeMs: number | undefined
}

export function createCumulativeTracker(options: {
  maxSeries: number
  now: () => number
}): CumulativeTracker {
  const startedAt = options.now()
  const series = new Map<string, SeriesState>()

  return {
    increments(key, values, startTimeMs) {
      const previous = series.get(key)
      if (previous)
        series.delete(key) // re-inserted below: the map's order is least recently used first
      else if (series.size >= options.maxSeries) series.delete(series.keys().next().value!)
      series.set(key, { values, startTimeMs })
      if (!previous) return startTimeMs !== undefined && startTimeMs >= startedAt ? [...values] : undefined
      const restarted =
        (startTimeMs !== undefined &&
          previous.startTimeMs !== undefined &&
          startTimeMs !== previous.startTimeMs) ||
        previous.values.length !== values.length ||
        values.some((value, i) => value < previous.values[i]!)
      return restarted ? [...values] : values.map((value, i) => value - previous.values[i]!)
    },
    get size() {
      return series.size
    },
  }
}

/** One histogram bucket: observations in (`lower`, `upper`]; the outer buckets are open (±Infinity). */
export interface Bucket {
  lower: number
  upper: number
  count: number
}

/** OTLP explicit buckets or Prometheus `le` buckets (non-cumulative counts, one more than bounds). */
export function explicitBuckets(bounds: readonly number[], counts: readonly number[]): Bucket[] {
  return counts.map((count, i) => ({
    lower: i === 0 ? -Infinity : bounds[i - 1]!,
    upper: i < bounds.length ? bounds[i]! : Infinity,
    count,
  }))
}

/**
 * A histogram's buckets as weighted points (value, count) for the metrics store's sketch: each bucket's
 * observations at its midpoint, clamped into [min, max] when the client sent them. The open outer buckets sit at
 * their finite bound (or min / max). So percentiles are estimates within one bucket's width, as Prometheus'
 * `histogram_quantile` is; the docs say so.
 */
export function bucketPoints(
  buckets: readonly Bucket[],
  range: { min?: number; max?: number } = {},
): { value: number; count: number }[] {
  const min = Number.isFinite(range.min) ? range.min! : -Infinity
  const max = Number.isFinite(range.max) ? range.max! : Infinity
  const points: { value: number; count: number }[] = []
  for (const { lower, upper, count } of buckets) {
    if (!(count > 0) || !Number.isFinite(count)) continue
    const low = Math.max(lower, min)
    const high = Math.min(upper, max)
    let value: number
    if (Number.isFinite(low) && Number.isFinite(high)) value = (low + high) / 2
    else if (Number.isFinite(high)) value = high
    else if (Number.isFinite(low)) value = low
    else continue // one open bucket with neither bound nor min/max: nothing to place it at
    points.push({ value, count: Math.round(count) })
  }
  return points
}

/**
 * Labels within the store's limits: string values cut to its length, keys beyond its length dropped, at most its
 * number of labels (in key order, so the same input always keeps the same ones).
 */
export function boundedLabels(labels: Record<string, string>): Record<string, string> {
  const keys = Object.keys(labels)
    .filter((key) => key.length > 0 && key.length <= POINT_LIMITS.labelKeyLength)
    .sort()
    .slice(0, POINT_LIMITS.labels)
  const bounded: Record<string, string> = {}
  for (const key of keys) bounded[key] = labels[key]!.slice(0, POINT_LIMITS.labelValueLength)
  return bounded
}

/** Why the store would refuse a point's name or value, or `undefined` when it takes it. */
export function pointProblem(name: string, value: number): string | undefined {
  if (name.length === 0 || Buffer.byteLength(name) > POINT_LIMITS.nameBytes) {
    return `metric name must be 1-${POINT_LIMITS.nameBytes} bytes`
  }
  if (!Number.isFinite(value) || Math.abs(value) > POINT_LIMITS.magnitude) {
    return `value of ${name.slice(0, 100)} must be a finite number (not NaN or ±Inf)`
  }
  return undefined
}

/**
 * A bound on distinct series per metric name, so one label with unbounded values (a user id, a URL with ids) cannot
 * flood the store: series seen before always pass, new ones beyond `maxPerMetric` are refused by name. Memory is
 * bounded too: at most `maxMetrics` names are tracked (least recently used first out).
 */
export interface SeriesBudget {
  /** Whether the point's series may be written. */
  admit(name: string, labels: Readonly<Record<string, string | number>> | undefined): boolean
  readonly maxPerMetric: number
}

export function createSeriesBudget(options: { maxPerMetric: number; maxMetrics: number }): SeriesBudget {
  const byName = new Map<string, Set<string>>()
  return {
    maxPerMetric: options.maxPerMetric,
    admit(name, labels) {
      let series = byName.get(name)
      if (series) byName.delete(name)
      else {
        if (byName.size >= options.maxMetrics) byName.delete(byName.keys().next().value!)
        series = new Set()
      }
      byName.set(name, series)
      const key = labels ? labelKey(labels) : ''
      if (series.has(key)) return true
      if (series.size >= options.maxPerMetric) return false
      series.add(key)
      return true
    },
  }
}

const labelKey = (labels: Readonly<Record<string, string | number>>) =>
  Object.keys(labels)
    .sort()
    .map((key) => `${key}\u0000${labels[key]}`)
    .join('\u0001')

/** What {@link forwardPoints} left out, for a partial-success answer. */
export interface ForwardOutcome {
  rejected: number
  /** Why, in a sentence naming the metrics; undefined when nothing was rejected. */
  message?: string
}

/**
 * Forwards points in batches of the store's size (a store batch is all or nothing); with a `budget`, points of new
 * series beyond its per-metric limit are left out and counted.
 */
export async function forwardPoints(
  forwarder: Forwarder,
  points: readonly MetricPoint[],
  budget?: SeriesBudget,
): Promise<ForwardOutcome> {
  let admitted = points
  const overBudget = new Set<string>()
  if (budget) {
    admitted = points.filter((point) => {
      if (budget.admit(point.name, point.labels)) return true
      overBudget.add(point.name)
      return false
    })
  }
  for (let i = 0; i < admitted.length; i += POINT_LIMITS.batch) {
    await forwarder.metrics(admitted.slice(i, i + POINT_LIMITS.batch))
  }
  const rejected = points.length - admitted.length
  if (rejected === 0) return { rejected }
  const names = [...overBudget].slice(0, 5).map((name) => name.slice(0, 100))
  return {
    rejected,
    message: `${rejected} points of new series refused: ${names.join(', ')} already ha${names.length > 1 ? 've' : 's'} ${budget!.maxPerMetric} series (the limit per metric, receivers.maxSeriesPerMetric); drop high-cardinality labels such as ids`,
  }
}
