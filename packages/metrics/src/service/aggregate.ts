import type { MetricsStore, RawPoints, SeriesRow } from '../store/store.js'
import { entryOf } from './collections.js'
import { countIntoBuckets, parseBuckets } from './histogram-buckets.js'
import { addPoints, addRollup, emptyStats, metricRollupRows, toRollupRow } from './rollup.js'
import { bucketStart, RESOLUTION_MS, RESOLUTIONS, type Resolution } from './time.js'

/** Points that arrived less than this ago wait for the next run: a writer's transaction may still be open. */
export const ARRIVAL_GRACE_MS = 2_000
export const WATERMARK_KEY = 'aggregated_through'

/** Where each tier's data still fully covers a bucket, per metric (the retention cutoffs). */
export interface Coverage {
  /** Raw points measured at or after this are all still stored. */
  rawFrom(name: string, now: number): number
  /** Minute rollups at or after this are all still stored. */
  minuteFrom(name: string, now: number): number
  /** Hour rollups at or after this are all still stored. */
  hourFrom(name: string, now: number): number
}

export interface AggregateResult {
  minutes: number
  hours: number
  days: number
}

/** The tier each rollup tier is recomputed from (minutes: from raw points). */
const SOURCE = { hour: 'minute', day: 'hour' } as const

/** Buckets recomputed per transaction, so a long catch-up never holds a write lock for long. */
const BUCKETS_PER_TRANSACTION = 500

interface Task {
  series: SeriesRow
  resolution: Resolution
  bucket: number
  /** The tier below still holds all of the bucket's data: recompute; otherwise merge the new points in. */
  complete: boolean
}

/**
 * Brings the minute, hour and day rollups up to date with every point that arrived since the last run: a watermark on
 * arrival order, so nothing is missed after a pause, a restart or a late batch. Each touched bucket is recomputed
 * once from its source tier and upserted, so runs are idempotent and concurrent runs write identical rows. A
 * bucket whose source has already expired (very late data) is merged with the new points instead, in the same
 * transaction that moves the watermark, so those points count exactly once. That transaction then recomputes
 * the whole-metric rollup of every touched bucket from its series' rollups.
 */
export async function aggregate(
  store: MetricsStore,
  now: number,
  coverage: Coverage,
): Promise<AggregateResult> {
  const target = await store.arrival.latest(now, ARRIVAL_GRACE_MS)
  const watermark = (await store.getState(WATERMARK_KEY)) ?? (await store.arrival.start())
  if (watermark >= target) return { minutes: 0, hours: 0, days: 0 }
  const arrived = { after: watermark, upTo: target }
  const touched = await store.arrivedBuckets(watermark, target)
  const seriesById = new Map(
    (await store.series({ ids: [...new Set(touched.map((t) => t.series_id))] })).map((s) => [s.id, s]),
  )

  const tasks: Task[] = []
  for (const [seriesId, minutes] of groupBySeries(touched.map((t) => [t.series_id, t.minute]))) {
    const series = seriesById.get(seriesId)!
    const from = {
      minute: coverage.rawFrom(series.name, now),
      hour: coverage.minuteFrom(series.name, now),
      day: coverage.hourFrom(series.name, now),
    }
    // Finer tiers first: each bucket is recomputed from the tier below it.
    let buckets = minutes
    for (const resolution of RESOLUTIONS) {
      buckets = [...new Set(buckets.map((bucket) => bucketStart(bucket, resolution)))]
      for (const bucket of buckets)
        tasks.push({ series, resolution, bucket, complete: bucket >= from[resolution] })
    }
  }
  const last = lastTasks(tasks)
  const early = tasks.filter((task) => !last.has(task))
  for (let i = 0; i < early.length; i += BUCKETS_PER_TRANSACTION) {
    await store.transaction((tx) => runTasks(tx, early.slice(i, i + BUCKETS_PER_TRANSACTION), arrived))
  }
  await store.transaction(async (tx) => {
    // First, so that on PostgreSQL the watermark's row lock orders concurrent runs' last steps: each recomputes
    // its whole-metric buckets from series rollups committed before it.
    await tx.setState(WATERMARK_KEY, target)
    await runTasks(tx, [...last], arrived)
    await rollMetrics(tx, tasks)
    await countExpositionBuckets(tx, tasks, arrived)
  })
  const count = (resolution: Resolution) => tasks.filter((t) => t.resolution === resolution).length
  return { minutes: count('minute'), hours: count('hour'), days: count('day') }
}

/**
 * The tasks for the transaction that moves the watermark: those that merge new points into a bucket whose source
 * expired, and every coarser bucket recomputed from one of them, which must wait for it.
 */
function lastTasks(tasks: readonly Task[]): Set<Task> {
  const last = new Set<Task>()
  let waiting = new Set<string>() // `${series}:${bucket}` of this tier's buckets holding a last task below
  for (const resolution of RESOLUTIONS) {
    const above = RESOLUTIONS[RESOLUTIONS.indexOf(resolution) + 1]
    const next = new Set<string>()
    for (const task of tasks) {
      if (task.resolution !== resolution) continue
      if (!task.complete || waiting.has(`${task.series.id}:${task.bucket}`)) {
        last.add(task)
        if (above) next.add(`${task.series.id}:${bucketStart(task.bucket, above)}`)
      }
    }
    waiting = next
  }
  return last
}

/** Runs tasks in order, upserting each tier before the next reads it. */
async function runTasks(
  store: MetricsStore,
  tasks: readonly Task[],
  arrived: { after: number; upTo: number },
) {
  for (const resolution of RESOLUTIONS) {
    const rows = []
    for (const task of tasks) {
      if (task.resolution === resolution) rows.push(await rollBucket(store, task, arrived))
    }
    await store.upsertRollups(rows)
  }
}

/**
 * One bucket's rollup: recomputed from the tier below when that tier still covers it (`complete`), otherwise the
 * stored rollup plus the points that arrived in this window.
 */
async function rollBucket(store: MetricsStore, task: Task, arrived: { after: number; upTo: number }) {
  const { series, resolution, bucket, complete } = task
  const end = bucket + RESOLUTION_MS[resolution]
  const stats = emptyStats(series.type === 'histogram')
  const add = (points: RawPoints) => addPoints(stats, points)
  if (complete && resolution === 'minute') await store.rawPoints(series.id, bucket, end, add)
  else if (complete) {
    const source = SOURCE[resolution as keyof typeof SOURCE]
    for (const row of await store.rollups([series.id], source, bucket, end)) addRollup(stats, row)
  } else {
    for (const row of await store.rollups([series.id], resolution, bucket, bucket + 1)) addRollup(stats, row)
    await store.rawPoints(series.id, bucket, end, add, arrived)
  }
  return toRollupRow(series.id, resolution, bucket, stats)
}

/** Touched buckets this close together are read as one range. */
const GAP_BUCKETS = 60

/** The tiers with whole-metric rollups: what charts read (days serve per-series window totals only). */
const METRIC_TIERS = ['minute', 'hour'] as const
type MetricTier = (typeof METRIC_TIERS)[number]

/** Recomputes the whole-metric rollups of the buckets the tasks touched, from the series' rollups. */
async function rollMetrics(store: MetricsStore, tasks: readonly Task[]) {
  const metrics = new Map<string, { metric: SeriesRow; buckets: Record<MetricTier, Set<number>> }>()
  for (const { series, resolution, bucket } of tasks) {
    if (resolution === 'day') continue
    const entry = entryOf(metrics, JSON.stringify([series.name, series.type, series.project]), () => ({
      metric: series,
      buckets: { minute: new Set<number>(), hour: new Set<number>() },
    }))
    entry.buckets[resolution].add(bucket)
  }
  for (const { metric, buckets } of metrics.values()) {
    const { name, type, project } = metric
    const ids = (await store.series({ name, project }))
      .filter((s) => s.type === type && s.project === project)
      .map((s) => s.id)
    for (const resolution of METRIC_TIERS) {
      const step = RESOLUTION_MS[resolution]
      const sorted = [...buckets[resolution]].sort((a, b) => a - b)
      for (let start = 0; start < sorted.length; ) {
        let end = start
        while (end + 1 < sorted.length && sorted[end + 1]! - sorted[end]! <= GAP_BUCKETS * step) end++
        const rows = await store.rollups(ids, resolution, sorted[start]!, sorted[end]! + 1)
        await store.upsertMetricRollups(
          metricRollupRows({ name, type, project }, resolution, rows, buckets[resolution]),
        )
        start = end + 1
      }
    }
  }
}

/**
 * Adds the histogram points that arrived in this run to their series' exposition buckets: in the transaction
 * that moves the watermark, so each point counts exactly once.
 */
async function countExpositionBuckets(
  store: MetricsStore,
  tasks: readonly Task[],
  arrived: { after: number; upTo: number },
) {
  const spans = new Map<number, { from: number; to: number }>()
  for (const { series, resolution, bucket } of tasks) {
    if (series.type !== 'histogram' || resolution !== 'minute') continue
    const span = entryOf(spans, series.id, () => ({ from: bucket, to: bucket }))
    span.from = Math.min(span.from, bucket)
    span.to = Math.max(span.to, bucket + RESOLUTION_MS.minute)
  }
  if (spans.size === 0) return
  const stored = await store.bucketCounts([...spans.keys()])
  const updated = new Map<number, string>()
  for (const [id, { from, to }] of spans) {
    const counts = parseBuckets(stored.get(id))
    await store.rawPoints(id, from, to, (points) => countIntoBuckets(counts, points), arrived)
    updated.set(id, JSON.stringify(counts))
  }
  await store.setBucketCounts(updated)
}

function groupBySeries(pairs: [number, number][]): Map<number, number[]> {
  const map = new Map<number, Set<number>>()
  for (const [id, bucket] of pairs) {
    const set = entryOf(map, id, () => new Set())
    set.add(bucket)
  }
  return new Map([...map].map(([id, set]) => [id, [...set].sort((a, b) => a - b)]))
}
