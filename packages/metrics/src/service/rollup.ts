import type { RawPoint, RollupRow } from '../store/store.js'
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

/** Adds points given in time order (the newest last wins `last`). */
export function addPoints(stats: Stats, points: readonly RawPoint[]): Stats {
  for (const { ts, value, count } of points) {
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
export function addRollup(stats: Stats, row: RollupRow): Stats {
  mergeFigures(stats, row.count, row.sum, row.min, row.max, row.last, row.last_ts)
  if (stats.sketch) mergeEncoded(stats.sketch, row.sketch)
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
