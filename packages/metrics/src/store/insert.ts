import { createHash } from 'node:crypto'
import type { Database } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import type { MetricsTables } from '../schema/tables.js'
import type { CleanPoint } from '../service/validate.js'

/** Series ids kept in memory; beyond this the cache starts over (a miss costs one lookup). */
const SERIES_CACHE_SIZE = 50_000
/** Rows per prepared multi-row INSERT on SQLite (5 parameters each). */
const SQLITE_CHUNK = 200

/** Writes a validated batch: one transaction, series ids from memory, a prepared multi-row insert. */
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

/** Per-series sums of a batch, for the running totals on the series row. */
function totalsBySeries(
  points: readonly CleanPoint[],
  ids: Int32Array | number[],
): Map<number, SeriesTotals> {
  const totals = new Map<number, SeriesTotals>()
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!
    const entry = totals.get(ids[i]!)
    if (!entry) {
      totals.set(ids[i]!, {
        count: point.count,
        sum: point.value * point.count,
        lastValue: point.value,
        lastTs: point.ts,
      })
    } else {
      entry.count += point.count
      entry.sum += point.value * point.count
      if (point.ts >= entry.lastTs) {
        entry.lastTs = point.ts
        entry.lastValue = point.value
      }
    }
  }
  return totals
}

class SeriesCache {
  private readonly ids = new Map<string, number>()
  get(key: string) {
    return this.ids.get(key)
  }
  /** After a rolled-back write: ids of series created in it no longer exist. */
  clear() {
    this.ids.clear()
  }
  set(key: string, id: number) {
    if (this.ids.size >= SERIES_CACHE_SIZE) this.ids.clear()
    this.ids.set(key, id)
  }
}

/** The fastest writer the database allows: native prepared statements on better-sqlite3, `unnest` on PostgreSQL. */
export function createPointWriter(database: Database): PointWriter {
  return database.sqlite ? sqliteWriter(database) : postgresWriter(database.db as Kysely<MetricsTables>)
}

function sqliteWriter(database: Database): PointWriter {
  const native = database.sqlite!
  const cache = new SeriesCache()
  const rows = (n: number) => Array.from({ length: n }, () => '(?,?,?,?,?)').join(',')
  const insertSql = 'insert into monlight_metrics_raw (series_id, ts, value, count, received_at) values '
  // Prepared on first use: the tables exist only after migrate().
  let statements: ReturnType<typeof prepare> | undefined
  const prepare = () => ({
    chunk: native.prepare(insertSql + rows(SQLITE_CHUNK)),
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
      const key = cacheKey(point)
      let id = cache.get(key)
      if (id === undefined) {
        const unique = seriesKey(point)
        s.addSeries.run(unique, point.name, point.type, point.project, point.labels, receivedAt)
        id = (s.findSeries.get(unique) as { id: number }).id
        cache.set(key, id)
      }
      ids[i] = id
    }
    const params = new Array<unknown>(SQLITE_CHUNK * 5)
    let i = 0
    for (; i + SQLITE_CHUNK <= points.length; i += SQLITE_CHUNK) {
      for (let j = 0; j < SQLITE_CHUNK; j++) {
        const point = points[i + j]!
        params[j * 5] = ids[i + j]
        params[j * 5 + 1] = point.ts
        params[j * 5 + 2] = point.value
        params[j * 5 + 3] = point.count
        params[j * 5 + 4] = receivedAt
      }
      s.chunk.run(...params)
    }
    for (; i < points.length; i++)
      s.one.run(ids[i], points[i]!.ts, points[i]!.value, points[i]!.count, receivedAt)
    for (const [id, t] of totalsBySeries(points, ids)) {
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

function postgresWriter(db: Kysely<MetricsTables>): PointWriter {
  const cache = new SeriesCache()
  return (points, receivedAt) =>
    db
      .transaction()
      .execute(async (trx) => {
        const missing = new Map<string, CleanPoint>()
        for (const point of points)
          if (cache.get(cacheKey(point)) === undefined) missing.set(cacheKey(point), point)
        if (missing.size > 0) await resolveSeries(trx, [...missing.values()], receivedAt, cache)
        const ids = points.map((point) => cache.get(cacheKey(point))!)
        await sql`insert into monlight_metrics_raw (series_id, ts, value, count, received_at)
        select * from unnest(${ids}::bigint[], ${points.map((p) => p.ts)}::bigint[],
          ${points.map((p) => p.value)}::float8[], ${points.map((p) => p.count)}::int[],
          ${points.map(() => receivedAt)}::bigint[])`.execute(trx)
        // Sorted ids: concurrent instances lock series rows in the same order.
        const totals = [...totalsBySeries(points, ids)].sort((a, b) => a[0] - b[0])
        await sql`update monlight_metrics_series as s set
          total_count = s.total_count + u.c, total_sum = s.total_sum + u.s,
          last_value = case when s.last_ts is null or u.t >= s.last_ts then u.v else s.last_value end,
          last_ts = greatest(coalesce(s.last_ts, u.t), u.t)
        from unnest(${totals.map(([id]) => id)}::bigint[], ${totals.map(([, t]) => t.count)}::bigint[],
          ${totals.map(([, t]) => t.sum)}::float8[], ${totals.map(([, t]) => t.lastValue)}::float8[],
          ${totals.map(([, t]) => t.lastTs)}::bigint[]) as u(id, c, s, v, t)
        where s.id = u.id`.execute(trx)
        return points.length
      })
      .catch(forgetOnFailure(cache))
}

async function resolveSeries(
  db: Kysely<MetricsTables>,
  points: CleanPoint[],
  now: number,
  cache: SeriesCache,
): Promise<void> {
  const keys = points.map(seriesKey)
  const rows = points.map((point, i) => ({
    series_key: keys[i]!,
    name: point.name,
    type: point.type,
    project: point.project,
    labels: point.labels,
    created_at: now,
  }))
  await db
    .insertInto('monlight_metrics_series')
    .values(rows)
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
  for (const [i, point] of points.entries()) cache.set(cacheKey(point), byKey.get(keys[i]!)!)
}
