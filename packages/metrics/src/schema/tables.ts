import type { Generated } from 'kysely'

/** One series: a (name, type, project, labels) combination. Kept after its data expires, so names stay listable. */
export interface SeriesTable {
  id: Generated<number>
  /** sha1 of name, type, project and labels: the unique key (labels can be too long for a b-tree key). */
  series_key: string
  name: string
  type: 'counter' | 'gauge' | 'histogram'
  /** `''` when the points name no project. */
  project: string
  /** Canonical label JSON (sorted keys, string values). */
  labels: string
  created_at: number
  /** Running totals since the series appeared: Prometheus counters and summaries need them. */
  total_count: Generated<number>
  total_sum: Generated<number>
  last_value: number | null
  last_ts: number | null
  /** Histograms: counts per exposition bucket since the series appeared (JSON, see histogram-buckets.ts). */
  bucket_counts: string | null
}

/**
 * Raw points as they arrived, one row per series and minute of each write: `points` holds them as flat JSON
 * `[ts, value, count, ts, value, count, …]` in arrival order. A row per point cost most of the write.
 */
export interface RawChunkTable {
  id: Generated<number>
  series_id: number
  /** The minute the points were measured in (epoch ms). */
  minute: number
  points: string
  /** How many points `points` holds. */
  n: number
  /** When they arrived (epoch ms): aggregation picks up everything that arrived since its last run. */
  received_at: number
}

export interface RollupTable {
  series_id: number
  resolution: 'minute' | 'hour' | 'day'
  /** Bucket start (epoch ms). */
  bucket: number
  count: number
  sum: number
  min: number
  max: number
  /** Value of the newest point in the bucket, and its time. */
  last: number
  last_ts: number
  /** Histograms only: the encoded quantile sketch (see service/sketch.ts). */
  sketch: string | null
}

/**
 * Rollups of whole metrics: each bucket merged over all the series of one (name, type, project), kept by
 * aggregation beside the series' own, so a metric's unfiltered chart and the dashboard read one row per bucket.
 */
export interface MetricRollupTable extends Omit<RollupTable, 'series_id'> {
  name: string
  type: SeriesTable['type']
  project: string
}

export interface StateTable {
  key: string
  value: number
}

export interface MetricsTables {
  monlight_metrics_series: SeriesTable
  monlight_metrics_raw_chunk: RawChunkTable
  monlight_metrics_rollup: RollupTable
  monlight_metrics_metric_rollup: MetricRollupTable
  monlight_metrics_state: StateTable
}
