import { createHash } from 'node:crypto'
import { type Database, groupCommit, type Logger, retryConflicts } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import type { MetricsTables } from '../schema/tables.js'
import { entryOf } from '../service/collections.js'
import { MINUTE_MS } from '../service/time.js'
import type { CleanPoint } from '../service/validate.js'

/** Series ids kept in memory; beyond this the cache starts over (a miss costs one lookup). */
const SERIES_CACHE_SIZE = 50_000
/** Rows per prepared multi-row INSERT on SQLite (5 parameters each). */
const SQLITE_ROWS = 100

/**
 * Writes a validated batch: one transaction, series ids from memory, the points as one raw chunk per series and
 * minute (see RawChunkTable).
 */
export type PointWriter = (points: readonly CleanPoint[], receivedAt: number) => Promise<number>

interface SeriesTotals {
  count: number
  sum: number
  lastValue: number
  lastTs: number
}

const cacheKey = (point: CleanPoint) =>
  `${point.project}\u0000${point.type}\u0000${point.name}\u0000${point.labels}`

export const seriesKey = (point: Pick<CleanPoint, 'name' | 'type' | 'project' | 'labels'>) =>
  createHash('sha1')
    .update(cacheKey(point as CleanPoint))
    .digest('base64url')

interface RawChunk {
  series_id: number
  minute: number
  /** Flat `[ts, value, count, …]`. */
  points: number[]
}

/**
 * A batch grouped in one pass: its points as chunks of one series and minute (arrival order within each), and
 * per series its sums for the running totals on the series row.
 */
function groupBatch(points: readonly CleanPoint[], ids: readonly number[]) {
  const bySeries = new Map<number, { totals: SeriesTotals; minutes: Map<number, RawChunk> }>()
  const chunks: RawChunk[] = []
  for (let i = 0; i < points.length; i++) {
    const { ts, value, count } = points[i]!
    const minute = ts - (ts % MINUTE_MS)
    const series = entryOf(bySeries, ids[i]!, () => ({
      totals: { count: 0, sum: 0, lastValue: value, lastTs: ts },
      minutes: new Map<number, RawChunk>(),
    }))
    const { totals } = series
    totals.count += count
    totals.sum += value * count
    if (ts >= totals.lastTs) {
      totals.lastTs = ts
      totals.lastValue = value
    }
    const chunk = entryOf(series.minutes, minute, () => {
      const created = { series_id: ids[i]!, minute, points: [] }
      chunks.push(created)
      return created
    })
    chunk.points.push(ts, value, count)
  }
  const totals = [...bySeries].map(([id, series]): [number, SeriesTotals] => [id, series.totals])
  return { chunks, totals }
}

/**
 * Series ids by labels, then by project, type and name. Canonical label strings come from validation's memo, one
 * string per label set, so the outer lookup reuses its hash instead of hashing a long key per point.
 */
class SeriesCache {
  private readonly byLabels = new Map<string, Map<string, number>>()
  private size = 0
  get(point: CleanPoint) {
    return this.byLabels.get(point.labels)?.get(innerKey(point))
  }
  /** After a rolled-back write: ids of series created in it no longer exist. */
  clear() {
    this.byLabels.clear()
    this.size = 0
  }
  set(point: CleanPoint, id: number) {
    if (this.size >= SERIES_CACHE_SIZE) this.clear()
    entryOf(this.byLabels, point.labels, () => new Map()).set(innerKey(point), id)
    this.size++
  }
}

const innerKey = (point: CleanPoint) => `${point.project}\u0000${point.type}\u0000${point.name}`

/** The fastest writer the database allows: native prepared statements on better-sqlite3, `unnest` on PostgreSQL. */
export function createPointWriter(database: Database, logger?: Logger): PointWriter {
  return database.sqlite
    ? sqliteWriter(database)
    : postgresWriter(database.db as Kysely<MetricsTables>, logger)
}

function sqliteWriter(database: Database): PointWriter {
  const native = database.sqlite!
  const cache = new SeriesCache()
  const rows = (n: number) => Array.from({ length: n }, () => '(?,?,?,?,?)').join(',')
  const insertSql =
    'insert into monlight_metrics_raw_chunk (series_id, minute, points, n, received_at) values '
  // Prepared on first use: the tables exist only after migrate().
  let statements: ReturnType<typeof prepare> | undefined
  const prepare = () => ({
    many: native.prepare(insertSql + rows(SQLITE_ROWS)),
    one: native.prepare(insertSql + rows(1)),
    addSeries: native.prepare(
      'insert into monlight_metrics_series (series_key, name, type, project, labels, created_at) values (?,?,?,?,?,?) on conflict (series_key) do nothing',
    ),
    findSeries: native.prepare('select id from monlight_metrics_series where series_key = ?'),
    totals: native.prepare(
      `update monlight_metrics_series set total_count = total_count + ?, total_sum = total_sum + ?,
        last_value = case when last_ts is null or ? >= last_ts then ? else last_value end,
        last_ts = case when last_ts is null or ? > last_ts then ? else last_ts end
       where id = ?`,
    ),
  })

  const write = (points: readonly CleanPoint[], receivedAt: number): number => {
    if (!statements) statements = prepare()
    const s = statements
    const ids = new Array<number>(points.length)
    for (let i = 0; i < points.length; i++) {
      const point = points[i]!
      let id = cache.get(point)
      if (id === undefined) {
        const unique = seriesKey(point)
        s.addSeries.run(unique, point.name, point.type, point.project, point.labels, receivedAt)
        id = (s.findSeries.get(unique) as { id: number }).id
        cache.set(point, id)
      }
      ids[i] = id
    }
    const { chunks, totals } = groupBatch(points, ids)
    const params = new Array<unknown>(SQLITE_ROWS * 5)
    const bind = (chunk: RawChunk, at: number, into: unknown[]) => {
      into[at] = chunk.series_id
      into[at + 1] = chunk.minute
      into[at + 2] = JSON.stringify(chunk.points)
      into[at + 3] = chunk.points.length / 3
      into[at + 4] = receivedAt
    }
    let i = 0
    for (; i + SQLITE_ROWS <= chunks.length; i += SQLITE_ROWS) {
      for (let j = 0; j < SQLITE_ROWS; j++) bind(chunks[i + j]!, j * 5, params)
      s.many.run(...params)
    }
    const one = new Array<unknown>(5)
    for (; i < chunks.length; i++) {
      bind(chunks[i]!, 0, one)
      s.one.run(...one)
    }
    for (const [id, t] of totals) {
      s.totals.run(t.count, t.sum, t.lastTs, t.lastValue, t.lastTs, t.lastTs, id)
    }
    return points.length
  }
  const writeInTransaction = native.transaction(write)

  // Holding Kysely's one connection keeps our native transaction from interleaving with a Kysely transaction.
  return (points, receivedAt) =>
    database.db
      .connection()
      .execute(async () => writeInTransaction(points, receivedAt))
      .catch(forgetOnFailure(cache))
}

function forgetOnFailure(cache: SeriesCache) {
  return (error: unknown): never => {
    cache.clear()
    throw error
  }
}

/**
 * PostgreSQL: concurrent batches share a transaction (group commit), which locks the series rows it updates in id
 * order before updating them, so instances writing the same series queue instead of deadlocking; a conflict that
 * still happens (with a host's own transactions, say) reruns the transaction.
 */
function postgresWriter(db: Kysely<MetricsTables>, logger?: Logger): PointWriter {
  const cache = new SeriesCache()
  const writeGroup = async (batches: PointBatch[]) => {
    const points = batches.flatMap((batch) => batch.points)
    // The newest arrival of the group: aggregation reads PostgreSQL's chunks by arrival, and this is closest to the commit.
    const receivedAt = Math.max(...batches.map((batch) => batch.receivedAt))
    const created = await retryConflicts(
      () => db.transaction().execute((trx) => writeTransaction(trx, points, receivedAt, cache)),
      { what: 'metrics ingest', logger },
    )
    // Only once committed: a rolled-back transaction's series ids do not exist.
    for (const [point, id] of created) cache.set(point, id)
    return batches.map((batch) => batch.points.length)
  }
  const write = groupCommit(writeGroup)
  return (points, receivedAt) => write({ points, receivedAt })
}

interface PointBatch {
  points: readonly CleanPoint[]
  receivedAt: number
}

/** One group's writes; returns the series it created or first looked up, for the cache. */
async function writeTransaction(
  trx: Kysely<MetricsTables>,
  points: readonly CleanPoint[],
  receivedAt: number,
  cache: SeriesCache,
): Promise<[CleanPoint, number][]> {
  const missing = new Map<string, CleanPoint>()
  for (const point of points) if (cache.get(point) === undefined) missing.set(cacheKey(point), point)
  const found = missing.size > 0 ? await resolveSeries(trx, [...missing.values()], receivedAt) : []
  const foundIds = new Map(found.map(([point, id]) => [cacheKey(point), id]))
  const ids = points.map((point) => cache.get(point) ?? foundIds.get(cacheKey(point))!)
  const { chunks, totals: unsorted } = groupBatch(points, ids)
  await sql`insert into monlight_metrics_raw_chunk (series_id, minute, points, n, received_at)
    select * from unnest(${chunks.map((c) => c.series_id)}::bigint[], ${chunks.map((c) => c.minute)}::bigint[],
      ${chunks.map((c) => JSON.stringify(c.points))}::text[], ${chunks.map((c) => c.points.length / 3)}::int[],
      ${chunks.map(() => receivedAt)}::bigint[])`.execute(trx)
  const totals = unsorted.sort((a, b) => a[0] - b[0])
  const seriesIds = totals.map(([id]) => id)
  // Row locks in id order, taken before the UPDATE: its join visits rows in whatever order its plan reads them,
  // which differs between transactions once updates have moved rows around the table (the deadlock this avoids).
  await sql`select id from monlight_metrics_series where id = any(${seriesIds}::bigint[]) order by id for update`.execute(
    trx,
  )
  await sql`update monlight_metrics_series as s set
    total_count = s.total_count + u.c, total_sum = s.total_sum + u.s,
    last_value = case when s.last_ts is null or u.t >= s.last_ts then u.v else s.last_value end,
    last_ts = greatest(coalesce(s.last_ts, u.t), u.t)
  from unnest(${seriesIds}::bigint[], ${totals.map(([, t]) => t.count)}::bigint[],
    ${totals.map(([, t]) => t.sum)}::float8[], ${totals.map(([, t]) => t.lastValue)}::float8[],
    ${totals.map(([, t]) => t.lastTs)}::bigint[]) as u(id, c, s, v, t)
  where s.id = u.id`.execute(trx)
  return found
}

/** The ids of these series, created where missing (in key order, as concurrent inserts of one key must queue). */
async function resolveSeries(
  db: Kysely<MetricsTables>,
  points: CleanPoint[],
  now: number,
): Promise<[CleanPoint, number][]> {
  const rows = points
    .map((point) => ({
      series_key: seriesKey(point),
      name: point.name,
      type: point.type,
      project: point.project,
      labels: point.labels,
      created_at: now,
      point,
    }))
    .sort((a, b) => (a.series_key < b.series_key ? -1 : a.series_key > b.series_key ? 1 : 0))
  await db
    .insertInto('monlight_metrics_series')
    .values(rows.map(({ point: _, ...row }) => row))
    .onConflict((conflict) => conflict.column('series_key').doNothing())
    .execute()
  const found = await db
    .selectFrom('monlight_metrics_series')
    .select(['id', 'series_key'])
    .where(
      'series_key',
      'in',
      rows.map((row) => row.series_key),
    )
    .execute()
  const byKey = new Map(found.map((row) => [row.series_key, Number(row.id)]))
  return rows.map((row): [CleanPoint, number] => [row.point, byKey.get(row.series_key)!])
}
