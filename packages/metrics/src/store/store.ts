import {
  type Database,
  deleteInBatches,
  dropPartitionsBefore,
  ensurePartitions,
  type Logger,
  type SqliteHandle,
  type SqliteStatement,
} from '@monlight/core'
import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import { PARTITIONS_AHEAD_MS, RAW_PARTITIONS } from '../schema/partitions.js'
import type { MetricRollupTable, MetricsTables, RollupTable, SeriesTable } from '../schema/tables.js'
import { MINUTE_MS, type Resolution } from '../service/time.js'
import { createPointWriter, type PointWriter } from './insert.js'

export type SeriesRow = Pick<SeriesTable, 'name' | 'type' | 'project' | 'labels'> & {
  id: number
  total_count: number
  total_sum: number
  last_value: number | null
  last_ts: number | null
}
export type RollupRow = RollupTable
export type MetricRollupRow = MetricRollupTable
/** One series' rollups of a window summed up: the figures merged by the database, the sketches as stored. */
export interface RollupTotal {
  series_id: number
  count: number
  sum: number
  min: number
  max: number
  sketches: string[]
}
/**
 * Raw points flat, `[ts, value, count, …]` (count: observations of value, for histograms a client
 * pre-aggregated): an hour's points of a busy series are hundreds of thousands, too many to box one by one.
 */
export type RawPoints = number[]

/** Which series a retention or query step applies to: one metric name, or all but some names. */
export type NameScope = { name: string } | { except: readonly string[] }

/** Bound on ids per `in (...)` list and on rows per delete batch. */
const CHUNK = 500
const DELETE_BATCH = 5000

const SERIES_COLUMNS = [
  'id',
  'name',
  'type',
  'project',
  'labels',
  'total_count',
  'total_sum',
  'last_value',
  'last_ts',
] as const

/** Every SQL statement of the metrics module. */
export interface MetricsStore {
  writePoints: PointWriter
  /** Runs `work` in one transaction with a store bound to it. */
  transaction<T>(work: (store: MetricsStore) => Promise<T>): Promise<T>
  getState(key: string): Promise<number | undefined>
  setState(key: string, value: number): Promise<void>
  /**
   * Where points are in arrival order: on SQLite the row id (its one writer assigns ids in commit order), on
   * PostgreSQL the arrival time, `grace` ms behind now so transactions still open are not skipped.
   */
  readonly arrival: {
    latest(now: number, grace: number): Promise<number>
    start(): Promise<number>
  }
  /** Distinct (series, minute) pairs of points whose arrival cursor is in (`after`, `upTo`]. */
  arrivedBuckets(after: number, upTo: number): Promise<{ series_id: number; minute: number }[]>
  /**
   * Hands `add` the points of one series measured in [from, to), a stored chunk at a time, in arrival order; with
   * `arrived`, only those that arrived then.
   */
  rawPoints(
    seriesId: number,
    from: number,
    to: number,
    add: (points: RawPoints) => void,
    arrived?: { after: number; upTo: number },
  ): Promise<void>
  /** Rollups of the series in [from, to), in no particular order. */
  rollups(
    seriesIds: readonly number[],
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<RollupRow[]>
  /** Per series, its rollups in [from, to) summed up (no `last`): for figures over a whole window. */
  rollupTotals(
    seriesIds: readonly number[],
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<RollupTotal[]>
  upsertRollups(rows: readonly RollupRow[]): Promise<void>
  /** Whole-metric rollups (all series of a metric merged) of the named metrics in [from, to), in no order. */
  metricRollups(
    filter: { names: readonly string[]; project?: string },
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<MetricRollupRow[]>
  upsertMetricRollups(rows: readonly MetricRollupRow[]): Promise<void>
  series(filter?: {
    name?: string
    names?: readonly string[]
    project?: string
    ids?: readonly number[]
  }): Promise<SeriesRow[]>
  /** Histograms' stored exposition bucket counts (JSON text, null before the first aggregation). */
  bucketCounts(seriesIds: readonly number[]): Promise<Map<number, string | null>>
  /** Stores histograms' new exposition bucket counts (the caller adds to what `bucketCounts` read). */
  setBucketCounts(counts: ReadonlyMap<number, string>): Promise<void>
  /** Series with a point measured at or after `since` (from their running totals). */
  activeSeries(since: number): Promise<SeriesRow[]>
  names(project?: string): Promise<{ name: string; type: string }[]>
  projects(): Promise<string[]>
  /** Point counts and sums per metric over (whole-metric) rollups of a window, most points first. */
  countsByMetric(
    resolution: Resolution,
    from: number,
    project?: string,
  ): Promise<{ name: string; type: string; count: number; total: number }[]>
  lastRollupBucket(): Promise<number | undefined>
  /** Raw points that arrived before `arrivedBefore` (ms) and that aggregation has read (`cursor`); how many went. */
  deleteRaw(arrivedBefore: number, cursor: number, scope: NameScope): Promise<number>
  /**
   * PostgreSQL: makes the raw chunks' hourly partitions up to a few hours ahead of `now`, and drops those that end
   * at or before `before` (all read and past retention); returns the points dropped. SQLite: absent.
   */
  maintainRawPartitions?(now: number, before: number): Promise<number>
  /** Series rollups and whole-metric rollups of the tier older than `before`; returns the series rollups deleted. */
  deleteRollups(resolution: Resolution, before: number, scope: NameScope): Promise<number>
}

export function createMetricsStore(database: Database, logger?: Logger): MetricsStore {
  return bindStore(
    database.db as Kysely<MetricsTables>,
    createPointWriter(database, logger),
    database.dialect,
    database.sqlite && nativeReads(database.sqlite),
  )
}

/** Each read answers undefined when it cannot read now (see {@link nativeReads}). */
interface NativeReads {
  rollups(...args: Parameters<MetricsStore['rollups']>): RollupRow[] | undefined
  metricRollups(...args: Parameters<MetricsStore['metricRollups']>): MetricRollupRow[] | undefined
}

/**
 * Rollup reads on better-sqlite3: the queries and the dashboard read thousands of rows, and rows as arrays cost
 * about half as much as the row objects Kysely's driver asks for. They share Kysely's one connection but not its
 * lock, so while a transaction is open (an aggregation run's, or the caller's own) they decline and the read goes
 * through Kysely, which waits for that transaction or runs inside it: nothing uncommitted is read by the rest.
 */
function nativeReads(native: SqliteHandle): NativeReads {
  const statements = new Map<string, SqliteStatement>()
  const prepared = (source: string) => {
    let statement = statements.get(source)
    if (!statement) {
      statement = native.prepare(source).raw(true)
      statements.set(source, statement)
    }
    return statement
  }
  const list = (values: readonly unknown[]) => values.map(() => '?').join(',')
  return {
    rollups(seriesIds, resolution, from, to) {
      if (native.inTransaction) return undefined
      const rows: RollupRow[] = []
      for (let i = 0; i < seriesIds.length; i += CHUNK) {
        const ids = seriesIds.slice(i, i + CHUNK)
        // No resolution column: every row has the one asked for.
        const statement = prepared(
          `select series_id, bucket, count, sum, min, max, last, last_ts, sketch from monlight_metrics_rollup
           where series_id in (${list(ids)}) and resolution = ? and bucket >= ? and bucket < ?`,
        )
        for (const [series_id, bucket, count, sum, min, max, last, last_ts, sketch] of statement.all(
          ...ids,
          resolution,
          from,
          to,
        )) {
          rows.push({ series_id, resolution, bucket, count, sum, min, max, last, last_ts, sketch })
        }
      }
      return rows
    },
    metricRollups({ names, project }, resolution, from, to) {
      if (native.inTransaction) return undefined
      const statement = prepared(
        `select name, type, project, bucket, count, sum, min, max, last, last_ts, sketch
         from monlight_metrics_metric_rollup where name in (${list(names)})${project ? ' and project = ?' : ''}
         and resolution = ? and bucket >= ? and bucket < ?`,
      )
      const rows: MetricRollupRow[] = []
      for (const [name, type, project_, bucket, count, sum, min, max, last, last_ts, sketch] of statement.all(
        ...names,
        ...(project ? [project] : []),
        resolution,
        from,
        to,
      )) {
        rows.push({
          name,
          type,
          project: project_,
          resolution,
          bucket,
          count,
          sum,
          min,
          max,
          last,
          last_ts,
          sketch,
        })
      }
      return rows
    },
  }
}

function bindStore(
  db: Kysely<MetricsTables>,
  writePoints: PointWriter,
  dialect: string,
  native?: NativeReads,
): MetricsStore {
  const byId = dialect === 'sqlite'
  const cursor = byId ? ('id' as const) : ('received_at' as const)
  const scoped = <Q extends { where: (...args: any[]) => Q }>(query: Q, scope: NameScope): Q => {
    const ids = db.selectFrom('monlight_metrics_series').select('id')
    return 'name' in scope
      ? query.where('series_id', 'in', ids.where('name', '=', scope.name))
      : scope.except.length > 0
        ? query.where('series_id', 'not in', ids.where('name', 'in', scope.except))
        : query
  }

  /** Writes rollup rows, replacing the figures of rows already there (by `key`). */
  const upsert = async (table: keyof MetricsTables, key: string[], rows: readonly object[]) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await (db as Kysely<any>)
        .insertInto(table)
        .values(rows.slice(i, i + CHUNK))
        .onConflict((conflict) => conflict.columns(key).doUpdateSet(figuresFromExcluded))
        .execute()
    }
  }

  const store: MetricsStore = {
    writePoints,
    transaction: (work) =>
      db.transaction().execute((trx) => work(bindStore(trx, writePoints, dialect, native))),

    async getState(key) {
      const row = await db
        .selectFrom('monlight_metrics_state')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst()
      return row ? Number(row.value) : undefined
    },
    async setState(key, value) {
      await db
        .insertInto('monlight_metrics_state')
        .values({ key, value })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
        .execute()
    },

    async arrivedBuckets(after, upTo) {
      const rows = await db
        .selectFrom('monlight_metrics_raw_chunk')
        .select(['series_id', 'minute'])
        .distinct()
        .where(cursor, '>', after)
        .where(cursor, '<=', upTo)
        .execute()
      return rows.map((row) => ({ series_id: Number(row.series_id), minute: Number(row.minute) }))
    },

    async rawPoints(seriesId, from, to, add, arrived) {
      let query = db
        .selectFrom('monlight_metrics_raw_chunk')
        .select(['minute', 'points'])
        .where('series_id', '=', seriesId)
        .where('minute', '>', from - MINUTE_MS)
        .where('minute', '<', to)
      if (arrived) query = query.where(cursor, '>', arrived.after).where(cursor, '<=', arrived.upTo)
      for (const { minute, points } of await query.orderBy('id').execute()) {
        const values = JSON.parse(points) as RawPoints
        // A chunk holds one minute: only a window that does not start or end on a minute cuts one.
        const whole = Number(minute) >= from && Number(minute) + MINUTE_MS <= to
        add(whole ? values : within(values, from, to))
      }
    },

    arrival: {
      async latest(now, grace) {
        if (!byId) return now - grace
        const row = await db
          .selectFrom('monlight_metrics_raw_chunk')
          .select((eb) => eb.fn.max('id').as('last'))
          .executeTakeFirst()
        return Number(row?.last ?? 0)
      },
      async start() {
        if (byId) return 0
        const row = await db
          .selectFrom('monlight_metrics_raw_chunk')
          .select((eb) => eb.fn.min('received_at').as('oldest'))
          .executeTakeFirst()
        return row?.oldest == null ? Number.MAX_SAFE_INTEGER : Number(row.oldest) - 1
      },
    },

    async rollups(seriesIds, resolution, from, to) {
      const read = native?.rollups(seriesIds, resolution, from, to)
      if (read) return read
      const rows: RollupRow[] = []
      for (let i = 0; i < seriesIds.length; i += CHUNK) {
        const chunk = await db
          .selectFrom('monlight_metrics_rollup')
          .selectAll()
          .where('series_id', 'in', seriesIds.slice(i, i + CHUNK))
          .where('resolution', '=', resolution)
          .where('bucket', '>=', from)
          .where('bucket', '<', to)
          .execute()
        rows.push(...chunk)
      }
      for (const row of rows) {
        row.series_id = Number(row.series_id)
        row.bucket = Number(row.bucket)
        row.count = Number(row.count)
        row.last_ts = Number(row.last_ts)
      }
      return rows
    },

    async rollupTotals(seriesIds, resolution, from, to) {
      const totals = new Map<number, RollupTotal>()
      for (let i = 0; i < seriesIds.length; i += CHUNK) {
        const window = db
          .selectFrom('monlight_metrics_rollup')
          .where('series_id', 'in', seriesIds.slice(i, i + CHUNK))
          .where('resolution', '=', resolution)
          .where('bucket', '>=', from)
          .where('bucket', '<', to)
        const figures = await window
          .select((eb) => [
            'series_id',
            eb.fn.sum<number>('count').as('count'),
            eb.fn.sum<number>('sum').as('sum'),
            eb.fn.min<number>('min').as('min'),
            eb.fn.max<number>('max').as('max'),
          ])
          .groupBy('series_id')
          .execute()
        for (const row of figures) {
          const id = Number(row.series_id)
          totals.set(id, {
            series_id: id,
            count: Number(row.count),
            sum: Number(row.sum),
            min: Number(row.min),
            max: Number(row.max),
            sketches: [],
          })
        }
        // A row committed between the two reads has no figures here yet: left for the next request.
        for (const row of await window
          .select(['series_id', 'sketch'])
          .where('sketch', 'is not', null)
          .execute())
          totals.get(Number(row.series_id))?.sketches.push(row.sketch!)
      }
      return [...totals.values()]
    },

    upsertRollups: (rows) => upsert('monlight_metrics_rollup', ['series_id', 'resolution', 'bucket'], rows),

    async metricRollups(filter, resolution, from, to) {
      if (filter.names.length === 0) return []
      const read = native?.metricRollups(filter, resolution, from, to)
      if (read) return read
      let query = db
        .selectFrom('monlight_metrics_metric_rollup')
        .selectAll()
        .where('name', 'in', filter.names)
        .where('resolution', '=', resolution)
        .where('bucket', '>=', from)
        .where('bucket', '<', to)
      if (filter.project) query = query.where('project', '=', filter.project)
      const rows = await query.execute()
      for (const row of rows) {
        row.bucket = Number(row.bucket)
        row.count = Number(row.count)
        row.last_ts = Number(row.last_ts)
      }
      return rows
    },

    upsertMetricRollups: (rows) =>
      upsert('monlight_metrics_metric_rollup', ['name', 'resolution', 'bucket', 'project', 'type'], rows),

    async series(filter = {}) {
      let query = db.selectFrom('monlight_metrics_series').select(SERIES_COLUMNS)
      if (filter.name !== undefined) query = query.where('name', '=', filter.name)
      if (filter.names !== undefined)
        query = query.where('name', 'in', filter.names.length ? filter.names : [''])
      if (filter.project) query = query.where('project', '=', filter.project)
      if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids.length ? filter.ids : [-1])
      return normaliseSeries(await query.orderBy('name').orderBy('id').execute())
    },

    async bucketCounts(seriesIds) {
      const counts = new Map<number, string | null>()
      for (let i = 0; i < seriesIds.length; i += CHUNK) {
        const rows = await db
          .selectFrom('monlight_metrics_series')
          .select(['id', 'bucket_counts'])
          .where('id', 'in', seriesIds.slice(i, i + CHUNK))
          .execute()
        for (const row of rows) counts.set(Number(row.id), row.bucket_counts)
      }
      return counts
    },

    async setBucketCounts(counts) {
      // In id order, as ingestion locks series rows on PostgreSQL: the two never wait on each other in a circle.
      for (const [id, text] of [...counts].sort((a, b) => a[0] - b[0])) {
        await db
          .updateTable('monlight_metrics_series')
          .set({ bucket_counts: text })
          .where('id', '=', id)
          .execute()
      }
    },

    async activeSeries(since) {
      const rows = await db
        .selectFrom('monlight_metrics_series')
        .select(SERIES_COLUMNS)
        .where('last_ts', '>=', since)
        .orderBy('name')
        .orderBy('labels')
        .execute()
      return normaliseSeries(rows)
    },

    async names(project) {
      let query = db.selectFrom('monlight_metrics_series').select(['name', 'type']).distinct()
      if (project) query = query.where('project', '=', project)
      return query.orderBy('name').orderBy('type').execute()
    },

    async projects() {
      const rows = await db
        .selectFrom('monlight_metrics_series')
        .select('project')
        .distinct()
        .where('project', '<>', '')
        .orderBy('project')
        .execute()
      return rows.map((row) => row.project)
    },

    async countsByMetric(resolution, from, project) {
      let query = db
        .selectFrom('monlight_metrics_metric_rollup')
        .select((eb) => [
          'name',
          'type',
          eb.fn.sum<number>('count').as('count'),
          eb.fn.sum<number>('sum').as('total'),
        ])
        .where('resolution', '=', resolution)
        .where('bucket', '>=', from)
        .groupBy(['name', 'type'])
      if (project) query = query.where('project', '=', project)
      const rows = await query.orderBy('count', 'desc').orderBy('name').execute()
      return rows.map((row) => ({
        name: row.name,
        type: row.type,
        count: Number(row.count),
        total: Number(row.total),
      }))
    },

    async lastRollupBucket() {
      const row = await db
        .selectFrom('monlight_metrics_rollup')
        .select((eb) => eb.fn.max('bucket').as('last'))
        .where('resolution', '=', 'minute')
        .executeTakeFirst()
      return row?.last == null ? undefined : Number(row.last)
    },

    async deleteRaw(arrivedBefore, readUpTo, scope) {
      let points = 0
      await deleteInBatches(async () => {
        const batch = scoped(
          db
            .selectFrom('monlight_metrics_raw_chunk')
            .select('id')
            .where('received_at', '<', arrivedBefore)
            .where(cursor, '<=', readUpTo),
          scope,
        ).limit(DELETE_BATCH)
        const deleted = await db
          .deleteFrom('monlight_metrics_raw_chunk')
          .where('id', 'in', batch)
          .returning('n')
          .execute()
        for (const chunk of deleted) points += Number(chunk.n)
        return deleted.length
      }, DELETE_BATCH)
      return points
    },

    ...(!byId && {
      async maintainRawPartitions(now: number, before: number) {
        await ensurePartitions(db, RAW_PARTITIONS, now, now + PARTITIONS_AHEAD_MS)
        const dropped = await dropPartitionsBefore(db, RAW_PARTITIONS, before, sql`coalesce(sum(n), 0)`)
        return dropped.held
      },
    }),

    async deleteRollups(resolution, before, scope) {
      const total = await deleteInBatches(async () => {
        const batch = scoped(
          db
            .selectFrom('monlight_metrics_rollup')
            .select(['series_id', 'resolution', 'bucket'])
            .where('resolution', '=', resolution)
            .where('bucket', '<', before),
          scope,
        ).limit(DELETE_BATCH)
        const result = await db
          .deleteFrom('monlight_metrics_rollup')
          .where(sql`(series_id, resolution, bucket)`, 'in', batch)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      }, DELETE_BATCH)
      await deleteInBatches(async () => {
        let batch = db
          .selectFrom('monlight_metrics_metric_rollup')
          .select(['name', 'resolution', 'bucket', 'project', 'type'])
          .where('resolution', '=', resolution)
          .where('bucket', '<', before)
        if ('name' in scope) batch = batch.where('name', '=', scope.name)
        else if (scope.except.length > 0) batch = batch.where('name', 'not in', scope.except)
        const result = await db
          .deleteFrom('monlight_metrics_metric_rollup')
          .where(sql`(name, resolution, bucket, project, type)`, 'in', batch.limit(DELETE_BATCH))
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      }, DELETE_BATCH)
      return total
    },
  }
  return store
}

/** The points of `values` measured in [from, to). */
function within(values: RawPoints, from: number, to: number): RawPoints {
  const kept: RawPoints = []
  for (let i = 0; i + 2 < values.length; i += 3) {
    if (values[i]! >= from && values[i]! < to) kept.push(values[i]!, values[i + 1]!, values[i + 2]!)
  }
  return kept
}

/** An upsert's update: every figure from the row that conflicted. */
const figuresFromExcluded = (eb: ExpressionBuilder<any, any>) => ({
  count: eb.ref('excluded.count'),
  sum: eb.ref('excluded.sum'),
  min: eb.ref('excluded.min'),
  max: eb.ref('excluded.max'),
  last: eb.ref('excluded.last'),
  last_ts: eb.ref('excluded.last_ts'),
  sketch: eb.ref('excluded.sketch'),
})

function normaliseSeries(rows: readonly Record<string, unknown>[]): SeriesRow[] {
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name as string,
    type: row.type as SeriesRow['type'],
    project: row.project as string,
    labels: row.labels as string,
    total_count: Number(row.total_count),
    total_sum: Number(row.total_sum),
    last_value: row.last_value == null ? null : Number(row.last_value),
    last_ts: row.last_ts == null ? null : Number(row.last_ts),
  }))
}
