import type { MetricPoint } from '@monlight/core'
import {
  boundedLabels,
  bucketPoints,
  type CumulativeTracker,
  explicitBuckets,
  pointProblem,
} from '../metric-points.js'
import type { FamilyTypes, PromSeries } from './parse.js'

export interface PromContext {
  project: string | undefined
  cumulative: CumulativeTracker
}

/**
 * Prometheus series → points. remote_write 1.0 has no types, so they come from the sender's metadata when it sent
 * some, else from the naming conventions: `_total` is a counter; `_bucket` series with `le` are a histogram's
 * cumulative buckets, with its `_sum` and `_count`; `_sum` / `_count` beside `quantile` series are a summary's;
 * everything else is a gauge. Counters and buckets are cumulative: they become increments per series (a decrease
 * is a restart), so the first sample of a series only sets its baseline. NaN and ±Inf samples (stale markers
 * included) are left out.
 */
export function mapSeries(
  series: readonly PromSeries[],
  types: FamilyTypes,
  context: PromContext,
): { points: MetricPoint[]; dropped: number } {
  const points: MetricPoint[] = []
  let dropped = 0
  const families = familiesWithParts(series)
  const project = context.project ? { project: context.project } : {}
  const histograms = new Map<
    string,
    { name: string; labels: Record<string, string>; byTime: Map<number, [number, number][]> }
  >()

  for (const { labels: all, samples } of series) {
    const { __name__: name = '', ...rest } = all
    const labels = boundedLabels(rest)
    const kind = kindOf(name, rest, types, families)
    if (kind === 'bucket') {
      const { le, ...withoutLe } = labels
      const bound = Number(le === '+Inf' ? Infinity : le)
      if (Number.isNaN(bound)) {
        dropped += samples.length
        continue
      }
      const base = name.slice(0, -'_bucket'.length)
      const key = `${base}\u0000${JSON.stringify(withoutLe)}`
      const histogram = entryOf(histograms, key, () => ({ name: base, labels: withoutLe, byTime: new Map() }))
      for (const { value, timestamp } of samples) {
        if (!Number.isFinite(value)) continue
        entryOf(histogram.byTime, timestamp, () => []).push([bound, value])
      }
      continue
    }
    const key = `${name}\u0000${JSON.stringify(labels)}`
    for (const { value, timestamp } of [...samples].sort((a, b) => a.timestamp - b.timestamp)) {
      if (pointProblem(name, value)) {
        dropped++
        continue
      }
      const time = timestamp > 0 ? timestamp : undefined
      if (kind === 'gauge') {
        points.push({ name, type: 'gauge', value, labels, timestamp: time, ...project })
        continue
      }
      const [increment] = context.cumulative.increments(key, [value], undefined) ?? []
      if (increment)
        points.push({ name, type: 'counter', value: increment, labels, timestamp: time, ...project })
    }
  }

  for (const { name, labels, byTime } of histograms.values()) {
    const key = `${name}_bucket\u0000${JSON.stringify(labels)}`
    for (const [timestamp, cumulative] of [...byTime].sort((a, b) => a[0] - b[0])) {
      cumulative.sort((a, b) => a[0] - b[0])
      // Cumulative `le` counts → counts per bucket; the +Inf bucket closes the list.
      const counts = cumulative.map(([, count], i) =>
        Math.max(0, count - (i > 0 ? cumulative[i - 1]![1] : 0)),
      )
      const bounds = cumulative.map(([bound]) => bound).filter((bound) => bound !== Infinity)
      if (counts.length !== bounds.length + 1) counts.push(0)
      const increments = context.cumulative.increments(key, counts, undefined)
      if (!increments) continue
      for (const { value, count } of bucketPoints(explicitBuckets(bounds, increments))) {
        points.push({
          name,
          type: 'histogram',
          value,
          count,
          labels,
          timestamp: timestamp > 0 ? timestamp : undefined,
          ...project,
        })
      }
    }
  }
  return { points, dropped }
}

type Kind = 'gauge' | 'counter' | 'bucket'

/** The map's value for `key`, created by `make` when missing. */
function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key)
  if (found !== undefined) return found
  const made = make()
  map.set(key, made)
  return made
}

/** Base names that have `_bucket` (with `le`) or `quantile` series in this request. */
function familiesWithParts(series: readonly PromSeries[]): Set<string> {
  const families = new Set<string>()
  for (const { labels } of series) {
    const name = labels.__name__ ?? ''
    if (name.endsWith('_bucket') && 'le' in labels) families.add(name.slice(0, -'_bucket'.length))
    else if ('quantile' in labels) families.add(name)
  }
  return families
}

function kindOf(
  name: string,
  labels: Record<string, string>,
  types: FamilyTypes,
  families: Set<string>,
): Kind {
  const base = name.replace(/_(bucket|sum|count|total)$/, '')
  const declared = types.get(name) ?? types.get(base)
  if (name.endsWith('_bucket') && 'le' in labels && declared !== 'gauge') return 'bucket'
  if (declared === 'counter') return 'counter'
  if (declared === 'histogram' || declared === 'summary') {
    return name.endsWith('_sum') || name.endsWith('_count') ? 'counter' : 'gauge'
  }
  if (declared === 'gauge') return 'gauge'
  if (name.endsWith('_total')) return 'counter'
  if ((name.endsWith('_sum') || name.endsWith('_count')) && families.has(base)) return 'counter'
  return 'gauge'
}
