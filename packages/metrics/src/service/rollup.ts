import type { MetricRollupRow, RawPoints, RollupRow, RollupTotal } from '../store/store.js'
import { entryOf } from './collections.js'
import { addValue, createSketch, encodeSketch, mergeEncoded, mergeInto, type Sketch } from './sketch.js'
import type { Resolution } from './time.js'

/** A bucket's figures while they are being computed; the sketch only for histograms. */
export interface Stats {
  count: number
  sum: number
  min: number
  max: number
  last: number
  lastTs: number
  sketch: Sketch | undefined
}

export function emptyStats(withSketch: boolean): Stats {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    last: 0,
    lastTs: Number.NEGATIVE_INFINITY,
    sketch: withSketch ? createSketch() : undefined,
  }
}

/** Adds points given in arrival order: the newest measured wins `last`, the later arrival among equals. */
export function addPoints(stats: Stats, points: RawPoints): Stats {
  for (let i = 0; i + 2 < points.length; i += 3) {
    const ts = points[i]!
    const value = points[i + 1]!
    const count = points[i + 2]!
    stats.count += count
    stats.sum += value * count
    if (value < stats.min) stats.min = value
    if (value > stats.max) stats.max = value
    if (ts >= stats.lastTs) {
      stats.lastTs = ts
      stats.last = value
    }
    if (stats.sketch) addValue(stats.sketch, value, count)
  }
  return stats
}

/** Merges a stored rollup into `stats`. */
export function addRollup(stats: Stats, row: RollupRow | MetricRollupRow): Stats {
  mergeFigures(stats, row.count, row.sum, row.min, row.max, row.last, row.last_ts)
  if (stats.sketch) mergeEncoded(stats.sketch, row.sketch)
  return stats
}

/** Merges a series' window total into `stats` (it carries no `last`). */
export function addTotal(stats: Stats, total: RollupTotal): Stats {
  mergeFigures(stats, total.count, total.sum, total.min, total.max, 0, Number.NEGATIVE_INFINITY)
  if (stats.sketch) for (const sketch of total.sketches) mergeEncoded(stats.sketch, sketch)
  return stats
}

/** Merges computed stats into `stats`. */
export function addStats(stats: Stats, other: Stats): Stats {
  mergeFigures(stats, other.count, other.sum, other.min, other.max, other.last, other.lastTs)
  if (stats.sketch && other.sketch) mergeInto(stats.sketch, other.sketch)
  return stats
}

function mergeFigures(
  stats: Stats,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  lastTs: number,
) {
  stats.count += count
  stats.sum += sum
  if (min < stats.min) stats.min = min
  if (max > stats.max) stats.max = max
  if (lastTs >= stats.lastTs) {
    stats.lastTs = lastTs
    stats.last = last
  }
}

export function toRollupRow(
  seriesId: number,
  resolution: Resolution,
  bucket: number,
  stats: Stats,
): RollupRow {
  return {
    series_id: seriesId,
    resolution,
    bucket,
    count: stats.count,
    sum: stats.sum,
    min: stats.min,
    max: stats.max,
    last: stats.last,
    last_ts: stats.lastTs,
    sketch: stats.sketch ? encodeSketch(stats.sketch) : null,
  }
}

/** Merges rollup rows (of several series, or several metrics) bucket by bucket, in bucket order. */
export function mergeByBucket(
  rows: readonly (RollupRow | MetricRollupRow)[],
  withSketch: boolean,
): Map<number, Stats> {
  const buckets = new Map<number, Stats>()
  for (const row of rows)
    addRollup(
      entryOf(buckets, row.bucket, () => emptyStats(withSketch)),
      row,
    )
  return new Map([...buckets].sort((a, b) => a[0] - b[0]))
}

/** The whole-metric rollups of one metric's series rollups, for the given buckets only. */
export function metricRollupRows(
  metric: Pick<MetricRollupRow, 'name' | 'type' | 'project'>,
  resolution: Resolution,
  seriesRows: readonly RollupRow[],
  buckets?: ReadonlySet<number>,
): MetricRollupRow[] {
  const wanted = buckets ? seriesRows.filter((row) => buckets.has(row.bucket)) : seriesRows
  return [...mergeByBucket(wanted, metric.type === 'histogram')].map(([bucket, stats]) => {
    const { series_id: _, ...row } = toRollupRow(0, resolution, bucket, stats)
    return { ...metric, ...row }
  })
}
