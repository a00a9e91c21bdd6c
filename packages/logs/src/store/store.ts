import { type Database, type Logger, MonlightConfigError, retryConflicts } from '@monlight/core'
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { LogsTables } from '../schema/tables.js'
import { type Level, parseLevelFilter } from '../service/levels.js'
import {
  attributeWords,
  type FieldFilter,
  type SearchQuery,
  toFts5,
  toTsquery,
} from '../service/search-syntax.js'
import { createSqliteSearch } from './sqlite-search.js'
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
  /** Attribute filters (and negated container or level ones), all of which must hold. */
  fields?: FieldFilter[]
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
/** Below this many entries of a container at the asked levels, the (container, level) index drives (see choosePlan). */
const FEW_AT_LEVEL = 5_000
/** Matches counted per index to choose whether the attribute or the text index drives a search with both. */
const ATTRIBUTE_DRIVE_COUNT = 2_000
/** Below this many entries at the container and level filters, each may be checked against the text (see choosePlan). */
const FEW_TO_PROBE = 2_000

/** How a query runs on SQLite (PostgreSQL: always the default, its planner chooses). */
interface Plan {
  /**
   * `index`: the filters' own index, newest first; `container-level`: the (container, level) index, its few rows
   * sorted; `windows`: text search walked down the FTS index (sqlite-search.ts).
   */
  drive: 'index' | 'container-level' | 'windows'
  /** Text, when it does not drive: each of the filters' (few) rows checked (sqlite-search.ts). */
  probe?: boolean
}

const COLUMNS = sql`e.id, e.timestamp, e.container, e.stream, e.level, e.message, e.attributes`

export type LogsStore = ReturnType<typeof createLogsStore>

/** The only place with SQL in the logs module; dialect branches for the write path and full-text search. */
export function createLogsStore(database: Database, logger?: Logger) {
  const db = database.db.withoutPlugins() as unknown as Kysely<LogsTables>
  const sqlite = database.dialect === 'sqlite'
  if (sqlite && !database.sqlite) {
    // Indexing and searching use FTS5 through the native handle, which createDatabase() always provides.
    throw new MonlightConfigError(
      'The logs store needs a SQLite database opened by createDatabase() (better-sqlite3)',
    )
  }
  const writer = sqlite ? createSqliteWriter(database) : undefined
  const search = sqlite ? createSqliteSearch(database) : undefined
  const attributeSearch = sqlite ? createSqliteSearch(database, 'monlight_logs_attr_fts') : undefined

  /** The container, level and time conditions on entry `e`. */
  const entryConditions = (filter: Omit<EntryFilter, 'limit' | 'offset'>): RawBuilder<unknown>[] => {
    const conditions: RawBuilder<unknown>[] = []
    if (filter.container !== undefined) conditions.push(sql`e.container = ${filter.container}`)
    if (filter.levels) {
      conditions.push(
        filter.levels.length === 1
          ? sql`e.level = ${filter.levels[0]}`
          : sql`e.level in (${sql.join(filter.levels)})`,
      )
    }
    for (const field of filter.fields ?? []) conditions.push(fieldCondition(field))
    if (filter.since !== undefined) conditions.push(sql`e.timestamp >= ${filter.since}`)
    if (filter.until !== undefined) conditions.push(sql`e.timestamp <= ${filter.until}`)
    return conditions
  }

  /**
   * One field filter on entry `e`. An attribute's text is the same on both dialects: strings as they are, numbers
   * and booleans as JSON writes them, objects as JSON. A negated filter also matches entries without the field.
   */
  const fieldCondition = (filter: FieldFilter): RawBuilder<unknown> => {
    if (filter.field !== 'attr') {
      const column = filter.field === 'container' ? sql`e.container` : sql`e.level`
      const values = filter.field === 'container' ? [filter.value] : parseLevelFilter(filter.value)!
      const test = sql`${column} in (${sql.join(values)})`
      return filter.negate ? sql`not (${test})` : test
    }
    const paths = filter.paths
    if (filter.value === null) {
      const present = sql`${firstOf(paths.map(sqlite ? sqliteType : pgJson))} is not null`
      return filter.negate ? sql`not (${present})` : present
    }
    const text = firstOf(paths.map(sqlite ? sqliteText : pgText))
    return filter.negate
      ? sqlite
        ? sql`${text} is not ${filter.value}`
        : sql`${text} is distinct from ${filter.value}`
      : sql`${text} = ${filter.value}`
  }

  const fromAndWhere = (filter: Omit<EntryFilter, 'limit' | 'offset'>, plan: Plan) => {
    const conditions = entryConditions(filter)
    const from =
      plan.drive === 'container-level'
        ? sql`monlight_logs_entry e indexed by monlight_logs_entry_container_level`
        : sql`monlight_logs_entry e`
    let order = sql`e.timestamp desc, e.id desc`
    if (filter.search) {
      // PostgreSQL (SQLite's text search runs in sqlite-search.ts)
      conditions.unshift(sql`e.search @@ to_tsquery('simple', ${toTsquery(filter.search)})`)
      order = sql`e.id desc`
    }
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
      if (writer) return writer.insert(entries, cursors, now)
      const transaction = () =>
        db.transaction().execute(async (trx) => {
          // One statement of six arrays: binding and compiling 6 × 1,000 parameters cost more than the insert.
          const column = <K extends keyof NewEntry>(key: K) => entries.map((entry) => entry[key])
          const { rows } = await sql<{ id: number }>`insert into monlight_logs_entry
            (timestamp, container, stream, level, message, attributes)
          select * from unnest(${column('timestamp')}::bigint[], ${column('container')}::text[],
            ${column('stream')}::text[], ${column('level')}::text[], ${column('message')}::text[],
            ${column('attributes')}::text[])
          returning id`.execute(trx)
          const ids = rows.map((row) => Number(row.id))
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
      return retryConflicts(transaction, { what: 'logs store', logger })
    },

    /**
     * Newest first (`timestamp desc, id desc`), with a capped count. Filters read pages off an index in that
     * order. A text search, which its matches drive newest-ingested first, sorts its first COUNT_CAP + 1 matches
     * (or up to the page's end) by time: a backlog ingested out of order still lists by time, and past the cap
     * the newest-ingested matches are the ones shown. Never sorts the whole match set.
     */
    async query(filter: EntryFilter): Promise<EntryPage> {
      const want = Math.max(COUNT_CAP + 1, filter.offset + filter.limit)
      const words = sqlite ? attributeWords(filter.fields ?? []) : undefined
      if (words && (!filter.search || (await fewerAttributeMatches(words, filter.search)))) {
        // SQLite field filter: the attribute index drives, the exact checks (and any text) filter its matches.
        const conditions = entryConditions(filter)
        if (filter.search) conditions.push(textCondition(filter.search))
        const ids = attributeSearch!.matchIds(
          { search: words, since: filter.since, until: filter.until, where: compiled(conditions) },
          want,
        )
        const entries = search!.newestByTime(ids, filter.offset, filter.limit).map(toEntry)
        return { ...counted(ids.length, filter.offset, entries.length), entries }
      }
      const plan = await choosePlan(filter)
      if (filter.search && (plan.drive === 'windows' || plan.probe)) {
        // SQLite text search: one pass gives the page and the count (the ids of the first COUNT_CAP + 1 matches,
        // or up to the page's end), then the page's entries are read by id.
        const ids = plan.probe
          ? search!.probe(filter.search, await probeRows(filter, plan), want)
          : search!.matchIds(
              {
                search: filter.search,
                since: filter.since,
                until: filter.until,
                where: compiled(entryConditions(filter)),
              },
              want,
            )
        const entries = search!.newestByTime(ids, filter.offset, filter.limit).map(toEntry)
        return { ...counted(ids.length, filter.offset, entries.length), entries }
      }
      const { from, where, order } = fromAndWhere(filter, plan)
      // PostgreSQL text search: the same candidates as SQLite's (the most recently ingested matches), by time.
      const rows = filter.search
        ? await sql<Record<string, unknown>>`select * from (select ${COLUMNS} from ${from} ${where}
            order by ${order} limit ${want}) e
            order by e.timestamp desc, e.id desc limit ${filter.limit} offset ${filter.offset}`.execute(db)
        : await sql<Record<string, unknown>>`select ${COLUMNS} from ${from} ${where} order by ${order}
            limit ${filter.limit} offset ${filter.offset}`.execute(db)
      const entries = rows.rows.map(toEntry)
      // A page that is not full ends the results: its size gives the total without a second pass.
      if (entries.length < filter.limit && (entries.length > 0 || filter.offset === 0)) {
        return { entries, total: filter.offset + entries.length, totalCapped: false }
      }
      const count = await sql<{ n: number }>`select count(*) as n from
        (select 1 from ${from} ${where} limit ${COUNT_CAP + 1}) t`.execute(db)
      return { ...counted(Number(count.rows[0]?.n ?? 0), filter.offset, entries.length), entries }
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

    /**
     * SQLite, after retention: some incremental FTS5 segment merging, off the write path, and the hour → id map
     * pruned of hours whose ids are all gone (a no-op on PostgreSQL). Hours emptied by the age limit stay until
     * the ids pass them: an entry written meanwhile with an old timestamp must stay findable by time.
     */
    async tidyIndexes(pages = 1000): Promise<void> {
      if (!sqlite) return
      for (const index of ['monlight_logs_entry_fts', 'monlight_logs_attr_fts']) {
        await sql`insert into ${sql.table(index)} (${sql.ref(index)}, rank) values ('merge', ${sql.lit(pages)})`.execute(
          db,
        )
      }
      await sql`delete from monlight_logs_hour_ids
        where max_id < coalesce((select min(id) from monlight_logs_entry), ${Number.MAX_SAFE_INTEGER})`.execute(
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
   * Text: its matches drive, walked newest first, at a cost bounded by their number; unless a container or level
   * filter (without a time filter) has few entries and the text has many more matches: then each of those
   * entries is checked, rather than walking the matches to find the few that pass.
   */
  async function choosePlan(filter: EntryFilter): Promise<Plan> {
    if (!sqlite) return { drive: 'index' }
    const countUpTo = async (limit: number, from: RawBuilder<unknown>, where: RawBuilder<unknown>) => {
      const { rows } = await sql<{
        n: number
      }>`select count(*) as n from (select 1 from ${from} where ${where}
        limit ${limit}) t`.execute(db)
      return Number(rows[0]?.n ?? 0)
    }
    const { container, levels } = filter
    const filterRows =
      container !== undefined && levels
        ? await countUpTo(
            FEW_AT_LEVEL,
            sql`monlight_logs_entry indexed by monlight_logs_entry_container_level`,
            sql`container = ${container} and level in (${sql.join(levels)})`,
          )
        : undefined
    const drive = filterRows !== undefined && filterRows < FEW_AT_LEVEL ? 'container-level' : 'index'
    if (!filter.search) return { drive }
    const timed = filter.since !== undefined || filter.until !== undefined
    if (timed || (container === undefined && !levels)) return { drive: 'windows' }
    const rows =
      filterRows ??
      (await countUpTo(
        FEW_TO_PROBE,
        sql`monlight_logs_entry e`,
        container !== undefined ? sql`e.container = ${container}` : sql`e.level in (${sql.join(levels!)})`,
      ))
    if (rows >= FEW_TO_PROBE) return { drive: 'windows' }
    // Checking a row costs ~1 µs, walking a match ~0.15 µs: probe when the matches outnumber the rows 7 to 1.
    const matches = await countUpTo(
      rows * 7,
      sql`monlight_logs_entry_fts`,
      sql`monlight_logs_entry_fts match ${toFts5(filter.search)}`,
    )
    return matches >= rows * 7 ? { drive, probe: true } : { drive: 'windows' }
  }

  /** SQLite: whether the field filters' words match fewer entries than the text (counted up to a bound). */
  async function fewerAttributeMatches(words: SearchQuery, text: SearchQuery): Promise<boolean> {
    const countMatches = async (table: string, query: SearchQuery) => {
      const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(table)}
        where ${sql.table(table)} match ${toFts5(query)} limit ${ATTRIBUTE_DRIVE_COUNT}) t`.execute(db)
      return Number(rows[0]?.n ?? 0)
    }
    return (
      (await countMatches('monlight_logs_attr_fts', words)) <
      (await countMatches('monlight_logs_entry_fts', text))
    )
  }

  /** SQLite: the text search as a condition on entry `e`, for when the attribute index drives. */
  function textCondition(text: SearchQuery): RawBuilder<unknown> {
    const matches = (match: string) => sql`exists (select 1 from monlight_logs_entry_fts
      where monlight_logs_entry_fts match ${match} and rowid = e.id)`
    // A group's words and its exclusions are looked up apart: FTS5 would scan on past the row for a NOT.
    const groups = text.groups.map(({ include, exclude }) => {
      const words = matches(toFts5({ groups: [{ include, exclude: [] }] }))
      if (exclude.length === 0) return words
      const excluded = toFts5({ groups: exclude.map((term) => ({ include: [term], exclude: [] })) })
      return sql`(${words} and not ${matches(excluded)})`
    })
    return sql`(${sql.join(groups, sql` or `)})`
  }

  /**
   * The few rows at the filters that the probe plan checks (choosePlan counted them): all of them, newest
   * ingested first, as the text-driven plan lists them.
   */
  async function probeRows(filter: EntryFilter, plan: Plan) {
    const { from, where } = fromAndWhere({ ...filter, search: undefined }, plan)
    const { rows } = await sql<{
      id: number
      message: string
    }>`select e.id, e.message from ${from} ${where} order by e.id desc`.execute(db)
    return rows
  }

  /** Conditions as SQL text and parameters, for the native search. */
  function compiled(conditions: RawBuilder<unknown>[]) {
    if (conditions.length === 0) return undefined
    const { sql: text, parameters } = sql.join(conditions, sql` and `).compile(db)
    return { sql: text, parameters }
  }

  /** The page's total: exact up to COUNT_CAP matches; past it, flagged, and at least what this page shows. */
  function counted(matches: number, offset: number, pageSize: number) {
    return matches > COUNT_CAP
      ? { total: Math.max(COUNT_CAP, offset + pageSize), totalCapped: true }
      : { total: matches, totalCapped: false }
  }

  async function deleteIds(condition: RawBuilder<unknown>, batch: number): Promise<number> {
    const result = await sql`delete from monlight_logs_entry where id in
      (select id from monlight_logs_entry where ${condition} order by id limit ${batch})`.execute(db)
    return Number(result.numAffectedRows ?? 0)
  }
}

/** The first non-null of these (SQLite's coalesce wants at least two). */
const firstOf = (values: RawBuilder<unknown>[]) =>
  values.length === 1 ? values[0]! : sql`coalesce(${sql.join(values)})`

/** SQLite's JSON path for a key path: every key quoted, so dots and brackets in names are plain characters. */
const jsonPath = (path: string[]) => `$${path.map((key) => `."${key}"`).join('')}`

/** SQLite: the JSON type at a path (`null` included), or SQL NULL when there is nothing there. */
const sqliteType = (path: string[]) => sql`json_type(e.attributes, ${jsonPath(path)})`

/** SQLite: an attribute's text, as PostgreSQL's json_extract_path_text gives it (booleans as words). */
const sqliteText = (path: string[]) => {
  const at = jsonPath(path)
  return sql`case json_type(e.attributes, ${at}) when 'true' then 'true' when 'false' then 'false'
    else cast(json_extract(e.attributes, ${at}) as text) end`
}

/**
 * PostgreSQL: the attributes as json. An entry whose attributes hold an escaped NUL is left out: extracting such a
 * string as text is an error, and one stored entry must never make a search fail.
 */
const pgAttributes = sql`(case when strpos(e.attributes, ${'\\u0000'}) > 0 then null else e.attributes::json end)`
const pgJson = (path: string[]) => sql`json_extract_path(${pgAttributes}, ${sql.join(path)})`
const pgText = (path: string[]) => sql`json_extract_path_text(${pgAttributes}, ${sql.join(path)})`
