import type { Database } from '@monlight/core'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { LogsTables } from '../schema/tables.js'
import type { Level } from '../service/levels.js'
import { type SearchQuery, toFts5, toTsquery } from '../service/search-syntax.js'
import { createSqliteWriter } from './sqlite-writer.js'

export interface NewEntry {
  timestamp: number
  container: string
  stream: string
  level: Level
  message: string
  /** JSON object text or null. */
  attributes: string | null
}

export interface StoredEntry extends NewEntry {
  id: number
}

export interface CursorState {
  path: string
  container: string
  inode: string
  position: number
  pending: string | null
}

export interface EntryFilter {
  container?: string
  levels?: Level[]
  search?: SearchQuery
  since?: number
  until?: number
  limit: number
  offset: number
}

export interface EntryPage {
  entries: StoredEntry[]
  /** Matching rows, counted up to the store's count cap. */
  total: number
  /** True when there are more matches than `total` says (the count stopped at the cap). */
  totalCapped: boolean
}

export interface LogsStats {
  total: number
  oldest: number | null
  newest: number | null
  byLevel: Record<string, number>
  byContainer: Record<string, number>
}

/** Counting every match of a common word over a million rows costs more than the search; stop at this many. */
export const COUNT_CAP = 1000
/** Below this many text matches, a search with other filters is driven by those filters (see choosePlan). */
const FEW_MATCHES = 50_000
/** Below this many entries of a container at the asked levels, the (container, level) index drives (see choosePlan). */
const FEW_AT_LEVEL = 5_000
/**
 * `index`: the default loop (the FTS index for text); `filters`: the other filters' index, matches as a set;
 * `container-level`: the (container, level) index, its few rows sorted, matches as a set.
 */
type SqlitePlan = 'index' | 'filters' | 'container-level'
const PG_ROWS_PER_STATEMENT = 1000
const COLUMNS = sql`e.id, e.timestamp, e.container, e.stream, e.level, e.message, e.attributes`

export type LogsStore = ReturnType<typeof createLogsStore>

/** The only place with SQL in the logs module; dialect branches for the write path and full-text search. */
export function createLogsStore(database: Database) {
  const db = database.db.withoutPlugins() as unknown as Kysely<LogsTables>
  const sqlite = database.dialect === 'sqlite'
  const writer = sqlite && database.sqlite ? createSqliteWriter(database) : undefined

  const fromAndWhere = (filter: Omit<EntryFilter, 'limit' | 'offset'>, plan: SqlitePlan = 'index') => {
    const conditions: RawBuilder<unknown>[] = []
    let from =
      plan === 'container-level'
        ? sql`monlight_logs_entry e indexed by monlight_logs_entry_container_level`
        : sql`monlight_logs_entry e`
    let order = sql`e.timestamp desc, e.id desc`
    if (filter.search) {
      if (plan === 'filters' || plan === 'container-level') {
        // `+` keeps SQLite from driving the loop by this IN list: the filter's index drives, the matches are a set.
        conditions.push(
          sql`+e.id in (select rowid from monlight_logs_entry_fts where monlight_logs_entry_fts match ${toFts5(filter.search)})`,
        )
      } else if (sqlite) {
        // Driven by the FTS index in rowid order: newest first without sorting the matches.
        from = sql`monlight_logs_entry_fts join monlight_logs_entry e on e.id = monlight_logs_entry_fts.rowid`
        conditions.push(sql`monlight_logs_entry_fts match ${toFts5(filter.search)}`)
        order = sql`monlight_logs_entry_fts.rowid desc`
      } else {
        conditions.push(sql`e.search @@ to_tsquery('simple', ${toTsquery(filter.search)})`)
        order = sql`e.id desc`
      }
    }
    if (filter.container !== undefined) conditions.push(sql`e.container = ${filter.container}`)
    if (filter.levels) {
      conditions.push(
        filter.levels.length === 1
          ? sql`e.level = ${filter.levels[0]}`
          : sql`e.level in (${sql.join(filter.levels)})`,
      )
    }
    if (filter.since !== undefined) conditions.push(sql`e.timestamp >= ${filter.since}`)
    if (filter.until !== undefined) conditions.push(sql`e.timestamp <= ${filter.until}`)
    const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``
    return { from, where, order }
  }

  const toEntry = (row: Record<string, unknown>): StoredEntry => ({
    id: Number(row.id),
    timestamp: Number(row.timestamp),
    container: row.container as string,
    stream: row.stream as string,
    level: row.level as Level,
    message: row.message as string,
    attributes: (row.attributes as string | null) ?? null,
  })

  return {
    /** Stores entries (and Docker cursors) in one transaction; returns the new ids in input order. */
    async insert(entries: NewEntry[], cursors: CursorState[] = [], now = Date.now()): Promise<number[]> {
      if (writer) return writer.write(entries, cursors, now)
      return db.transaction().execute(async (trx) => {
        const ids: number[] = []
        for (let start = 0; start < entries.length; start += PG_ROWS_PER_STATEMENT) {
          const rows = await trx
            .insertInto('monlight_logs_entry')
            .values(entries.slice(start, start + PG_ROWS_PER_STATEMENT))
            .returning('id')
            .execute()
          for (const row of rows) ids.push(Number(row.id))
        }
        for (const c of cursors) {
          const values = { ...c, updated_at: now }
          await trx
            .insertInto('monlight_logs_cursor')
            .values(values)
            .onConflict((oc) => oc.column('path').doUpdateSet(values))
            .execute()
        }
        return ids
      })
    },

    /**
     * Newest first, with a capped count. Filters read pages off an index in `timestamp desc, id desc` order; a
     * text search on its own (or one with many matches) goes newest-ingested first (FTS5 rowid order; the same
     * order unless entries were posted with old timestamps). Never sorts the whole match set by rank.
     */
    async query(filter: EntryFilter): Promise<EntryPage> {
      const { from, where, order } = fromAndWhere(filter, await choosePlan(filter))
      const rows = await sql<
        Record<string, unknown>
      >`select ${COLUMNS} from ${from} ${where} order by ${order}
        limit ${filter.limit} offset ${filter.offset}`.execute(db)
      const entries = rows.rows.map(toEntry)
      // A page that is not full ends the results: its size gives the total without a second pass.
      if (entries.length < filter.limit && (entries.length > 0 || filter.offset === 0)) {
        return { entries, total: filter.offset + entries.length, totalCapped: false }
      }
      const counted = await sql<{ n: number }>`select count(*) as n from
        (select 1 from ${from} ${where} limit ${COUNT_CAP + 1}) t`.execute(db)
      const n = Number(counted.rows[0]?.n ?? 0)
      const total = Math.max(Math.min(n, COUNT_CAP), filter.offset + entries.length)
      return { entries, total, totalCapped: n > COUNT_CAP }
    },

    async containers(): Promise<{ name: string; log_count: number }[]> {
      const rows = await db
        .selectFrom('monlight_logs_entry')
        .select(['container as name', (eb) => eb.fn.countAll<number>().as('log_count')])
        .groupBy('container')
        .orderBy('container')
        .execute()
      return rows.map((row) => ({ name: row.name, log_count: Number(row.log_count) }))
    },

    async stats(): Promise<LogsStats> {
      const [summary, levels, containers] = await Promise.all([
        db
          .selectFrom('monlight_logs_entry')
          .select((eb) => [
            eb.fn.countAll<number>().as('total'),
            eb.fn.min('timestamp').as('oldest'),
            eb.fn.max('timestamp').as('newest'),
          ])
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('monlight_logs_entry')
          .select(['level', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('level')
          .orderBy('level')
          .execute(),
        this.containers(),
      ])
      return {
        total: Number(summary.total),
        oldest: summary.oldest === null ? null : Number(summary.oldest),
        newest: summary.newest === null ? null : Number(summary.newest),
        byLevel: Object.fromEntries(levels.map((row) => [row.level, Number(row.n)])),
        byContainer: Object.fromEntries(containers.map((row) => [row.name, row.log_count])),
      }
    },

    async health(): Promise<{ count: number; newest: number | null }> {
      const row = await db
        .selectFrom('monlight_logs_entry')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('timestamp').as('newest')])
        .executeTakeFirstOrThrow()
      return { count: Number(row.count), newest: row.newest === null ? null : Number(row.newest) }
    },

    async cursors(): Promise<CursorState[]> {
      const rows = await db.selectFrom('monlight_logs_cursor').selectAll().execute()
      return rows.map((row) => ({
        path: row.path,
        container: row.container,
        inode: row.inode,
        position: Number(row.position),
        pending: row.pending,
      }))
    },

    /** Ring buffer: deletes up to `batch` of the oldest rows beyond `maxEntries`; returns how many went. */
    async trimToMax(maxEntries: number, batch: number): Promise<number> {
      const boundary = await db
        .selectFrom('monlight_logs_entry')
        .select('id')
        .orderBy('id', 'desc')
        .limit(1)
        .offset(maxEntries)
        .executeTakeFirst()
      if (!boundary) return 0
      return deleteIds(sql`id <= ${boundary.id}`, batch)
    },

    /** SQLite: some incremental FTS5 segment merging, off the write path (a no-op on PostgreSQL). */
    async mergeIndex(pages = 1000): Promise<void> {
      if (sqlite)
        await sql`insert into monlight_logs_entry_fts (monlight_logs_entry_fts, rank) values ('merge', ${sql.lit(pages)})`.execute(
          db,
        )
    },

    /** Age limit: deletes up to `batch` entries older than `before`. */
    async deleteOlderThan(before: number, batch: number): Promise<number> {
      return deleteIds(sql`timestamp < ${before}`, batch)
    },
  }

  /**
   * SQLite has no statistics to choose by, so the store counts a little first.
   *
   * Container and levels: SQLite reads the container's index newest first (no sort) and checks each row's level,
   * which is right when the levels are common (a page fills quickly) and reads every entry of the container when
   * they are rare ("errors of api"); when the (container, level) index holds few such rows, it drives instead and
   * its rows are sorted.
   *
   * Text plus other filters: walking the text matches newest first is best when they are many (a page fills
   * quickly); when they are few and the other filters reject most of them, that walk visits every match, so the
   * other filters' index drives instead, checking each row against the set of matches.
   */
  async function choosePlan(filter: EntryFilter): Promise<SqlitePlan> {
    if (sqlite && filter.container !== undefined && filter.levels) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from monlight_logs_entry
        indexed by monlight_logs_entry_container_level where container = ${filter.container}
        and level in (${sql.join(filter.levels)}) limit ${FEW_AT_LEVEL}) t`.execute(db)
      if (Number(rows[0]?.n ?? 0) < FEW_AT_LEVEL) return 'container-level'
    }
    const others =
      filter.container !== undefined ||
      filter.levels !== undefined ||
      filter.since !== undefined ||
      filter.until !== undefined
    if (!sqlite || !filter.search || !others) return 'index'
    const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from monlight_logs_entry_fts
      where monlight_logs_entry_fts match ${toFts5(filter.search)} limit ${FEW_MATCHES}) t`.execute(db)
    return Number(rows[0]?.n ?? 0) < FEW_MATCHES ? 'filters' : 'index'
  }

  async function deleteIds(condition: RawBuilder<unknown>, batch: number): Promise<number> {
    const result = await sql`delete from monlight_logs_entry where id in
      (select id from monlight_logs_entry where ${condition} order by id limit ${batch})`.execute(db)
    return Number(result.numAffectedRows ?? 0)
  }
}
