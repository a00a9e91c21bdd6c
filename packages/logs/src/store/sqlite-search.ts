import type { Database, SqliteStatement } from '@monlight/core'
import { FTS_TABLE } from '../schema/tables.js'
import { type SearchQuery, toFts5, wordsOf } from '../service/search-syntax.js'

/** The bucket of the time → id map (`monlight_logs_hour_ids`): an hour, in ms. */
const HOUR_MS = 3_600_000
/** The first window of an exclusion's walk, in ids; later ones aim at the density seen, and at least double. */
const FIRST_WINDOW = 4096
const MAX_STATEMENTS = 64

export interface TextFilter {
  search: SearchQuery
  /** The time filter, which narrows the ids to walk. */
  since?: number
  until?: number
  /** Every other condition on entry `e` (the store's, time included), as SQL text and its parameters. */
  where?: { sql: string; parameters: readonly unknown[] }
}

/**
 * SQLite full-text search, newest first, on the native handle, within the ids an entry matching the filter can
 * have (a time filter maps to the ids of its hours through `monlight_logs_hour_ids`, kept by the writer).
 *
 * OR groups without exclusions are one FTS5 query read newest first, which stops at the rows wanted. FTS5
 * evaluates a NOT by scanning every match of its left side whatever the rowid bounds (`slow -orders` reads all
 * of `slow`), so a group with exclusions walks down in growing windows instead, each window's exclusions taken
 * out as a set bounded to it, and only below the newest matches already found; once a window would cover
 * more than a fifth of the index, one FTS5 NOT over what is left is cheaper. `probe` checks a few given entries
 * instead.
 *
 * Rowid bounds are bound as BigInt: FTS5 ignores a bound that SQLite holds as a REAL (better-sqlite3 binds
 * numbers as REAL) and would scan the whole index. Reads never interleave with an open transaction: the logs
 * writer's transactions are synchronous.
 */
export function createSqliteSearch(database: Database, fts: string = FTS_TABLE) {
  const handle = database.sqlite!
  const statements = new Map<string, SqliteStatement>()
  const prepared = (source: string) => {
    let statement = statements.get(source)
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear()
      statement = handle.prepare(source)
      statements.set(source, statement)
    }
    return statement
  }

  /**
   * The ids an entry matching `filter` can have, [lo, hi] (undefined when there can be none), and the span of all
   * ids, which prices an FTS5 NOT.
   */
  function idRange(filter: TextFilter): { lo: number; hi: number; span: number } | undefined {
    // Two subqueries: SQLite reads min() or max() off the rowid tree only when it is a query's one aggregate.
    const [first, last] = prepared(
      'select (select min(id) from monlight_logs_entry), (select max(id) from monlight_logs_entry)',
    )
      .raw()
      .get() as [number | null, number | null]
    if (first === null || last === null) return undefined
    if (filter.since === undefined && filter.until === undefined)
      return { lo: first, hi: last, span: last - first + 1 }
    const [lo, hi] = prepared(
      'select min(min_id), max(max_id) from monlight_logs_hour_ids where hour between ? and ?',
    )
      .raw()
      .get(
        hourOf(filter.since ?? Number.MIN_SAFE_INTEGER),
        hourOf(filter.until ?? Number.MAX_SAFE_INTEGER),
      ) as [number | null, number | null]
    return lo === null || hi === null ? undefined : { lo, hi, span: last - first + 1 }
  }

  function searcher(filter: TextFilter) {
    const where = filter.where ? ` and ${filter.where.sql}` : ''
    const params = filter.where?.parameters ?? []
    // CROSS JOIN keeps FTS5 as the outer loop: probing it once per entry row costs ~14 µs a row.
    const join = (id: string) => (where === '' ? '' : ` cross join monlight_logs_entry e on e.id = ${id}`)
    const newestSql = `select ${fts}.rowid from ${fts}${join(`${fts}.rowid`)}
      where ${fts} match ? and ${fts}.rowid between ? and ?${where} order by ${fts}.rowid desc limit ?`
    const windowSql = `select m.id from (select rowid as id from ${fts} where ${fts} match ? and rowid between ? and ?
      except select rowid from ${fts} where ${fts} match ? and rowid between ? and ?) m${join('m.id')}
      where true${where}`

    /** Up to `limit` ids matching the FTS5 expression `match` in [lo, hi], newest first. */
    const newest = (match: string, lo: number, hi: number, limit: number): number[] =>
      prepared(newestSql)
        .pluck()
        .all(match, BigInt(lo), BigInt(hi), ...params, limit) as number[]

    /** The same for one OR group with exclusions, walked down in windows. */
    const newestExcluding = (
      group: SearchQuery['groups'][number],
      lo: number,
      hi: number,
      limit: number,
      span: number,
    ) => {
      const { include, exclude } = fts5Parts(group)
      const ids: number[] = []
      let size = FIRST_WINDOW
      for (let top = hi; top >= lo && ids.length < limit; ) {
        // A window costs about 5× an FTS5 NOT per id it covers, and the NOT reads the whole index: past a fifth of
        // the index, one NOT over all that is left is cheaper.
        if (Math.min(size, top - lo + 1) * 5 > span) {
          for (const id of newest(toFts5({ groups: [group] }), lo, top, limit - ids.length)) ids.push(id)
          break
        }
        const bottom = Math.max(lo, top - size + 1)
        const found = prepared(windowSql)
          .pluck()
          .all(
            include,
            BigInt(bottom),
            BigInt(top),
            exclude,
            BigInt(bottom),
            BigInt(top),
            ...params,
          ) as number[]
        found.sort((x, y) => y - x)
        for (const id of found) ids.push(id)
        // Aim at the ids still wanted at the density seen so far, growing at least geometrically.
        const estimate = ids.length > 0 ? ((limit - ids.length) * (hi - bottom + 1)) / ids.length : Infinity
        size = Math.max(size * 2, Math.ceil(estimate * 1.25))
        top = bottom - 1
      }
      return ids.length > limit ? ids.slice(0, limit) : ids
    }
    return { newest, newestExcluding }
  }

  return {
    /** Up to `want` ids of matching entries, newest (highest id) first. */
    matchIds(filter: TextFilter, want: number): number[] {
      const range = idRange(filter)
      if (!range) return []
      const { lo, hi, span } = range
      const { newest, newestExcluding } = searcher(filter)
      const plain = filter.search.groups.filter((group) => group.exclude.length === 0)
      let ids = plain.length > 0 ? newest(toFts5({ groups: plain }), lo, hi, want) : []
      for (const group of filter.search.groups) {
        if (group.exclude.length === 0) continue
        // Only matches newer than the want-th found so far can still make the cut.
        const floor = ids.length >= want ? ids[want - 1]! + 1 : lo
        if (floor <= hi) ids = mergeNewestFirst(ids, newestExcluding(group, floor, hi, want, span), want)
      }
      return ids
    },

    /**
     * The ids of these entries whose message matches `search`, in their order, up to `want`. ASCII is checked
     * here: on ASCII, FTS5's unicode61 tokenizer is exactly lowercased runs of letters and digits (`wordsOf`),
     * and a JS check costs ~1 µs against ~15 µs for an FTS5 lookup. Anything else is looked up in the index.
     */
    probe(search: SearchQuery, rows: { id: number; message: string }[], want: number): number[] {
      const ascii = search.groups.every((group) => [...group.include, ...group.exclude].flat().every(isAscii))
      const lookup = prepared(`select 1 from ${fts} where ${fts} match ? and rowid = ?`)
      // A group's words and its exclusions are looked up apart: FTS5 would scan on past the row for a NOT.
      const groups = search.groups.map(fts5Parts)
      const indexed = (match: string, id: number) => lookup.get(match, BigInt(id)) !== undefined
      const ids: number[] = []
      for (const row of rows) {
        if (ids.length >= want) break
        const hit =
          ascii && isAscii(row.message)
            ? matchesTokens(search, wordsOf(row.message))
            : groups.some((g) => indexed(g.include, row.id) && !(g.exclude && indexed(g.exclude, row.id)))
        if (hit) ids.push(Number(row.id))
      }
      return ids
    },

    /** A page of the entries with these ids, newest first (`timestamp desc, id desc`). */
    newestByTime(ids: number[], offset: number, limit: number): Record<string, unknown>[] {
      if (ids.length === 0) return []
      return prepared(
        // The page's ids sorted from the timestamps alone, then only its rows read whole.
        `select id, timestamp, container, stream, level, message, attributes from monlight_logs_entry
          where id in (select id from monlight_logs_entry where id in (select value from json_each(?))
            order by timestamp desc, id desc limit ? offset ?)
          order by timestamp desc, id desc`,
      ).all(JSON.stringify(ids), limit, offset) as Record<string, unknown>[]
    },
  }
}

/** A group's words (all of them) and its exclusions (any of them) as two FTS5 expressions; '' for none. */
function fts5Parts({ include, exclude }: SearchQuery['groups'][number]) {
  return {
    include: toFts5({ groups: [{ include, exclude: [] }] }),
    exclude: exclude.length
      ? toFts5({ groups: exclude.map((term) => ({ include: [term], exclude: [] })) })
      : '',
  }
}

const NON_ASCII = /[^\p{ASCII}]/u
const isAscii = (text: string) => !NON_ASCII.test(text)

/** Whether a message's words (lowercased, in order) satisfy the search: a group's terms all occur, none excluded. */
function matchesTokens(search: SearchQuery, words: string[]): boolean {
  const occurs = (term: string[]) =>
    words.some((_, start) => term.every((token, k) => words[start + k] === token))
  return search.groups.some((group) => group.include.every(occurs) && !group.exclude.some(occurs))
}

/** Two newest-first id lists as one, without duplicates, up to `limit`. */
function mergeNewestFirst(a: number[], b: number[], limit: number): number[] {
  const merged: number[] = []
  let i = 0
  let j = 0
  while (merged.length < limit && (i < a.length || j < b.length)) {
    const next = j >= b.length || (i < a.length && a[i]! >= b[j]!) ? a[i++]! : b[j++]!
    if (merged[merged.length - 1] !== next) merged.push(next)
  }
  return merged
}

/** The hour bucket of an epoch-ms timestamp (floor, also before 1970). */
export function hourOf(timestamp: number): number {
  return Math.floor(timestamp / HOUR_MS)
}
