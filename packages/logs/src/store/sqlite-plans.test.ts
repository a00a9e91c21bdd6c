import { migrate } from '@monlight/core'
import { createTestDatabase, seededRandom, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../schema/migrations.js'
import type { Level } from '../service/levels.js'
import { parseSearch, type SearchQuery } from '../service/search-syntax.js'
import { COUNT_CAP, createLogsStore, type EntryFilter, type LogsStore, type NewEntry } from './store.js'

/**
 * SQLite picks a plan per query by counting a little first (sqlite-search.ts and choosePlan in store.ts): text
 * walked down the FTS index (with exclusions in windows, or one FTS5 NOT), or the filters' index with each row
 * checked (in JS when it is ASCII, else by FTS5). Every plan must give the rows a brute-force scan gives.
 * The corpus is big enough to cross the planner's thresholds: a container and a level with under 2,000 entries
 * beside words with many times more matches, and more ids than several search windows.
 */
const T0 = Date.parse('2026-03-01T00:00:00Z')
const ENTRIES = 60_000
const STEP = 1_000 // ms between entries: 60,000 entries span about 17 hours

describe('SQLite search plans', () => {
  let database: TestDatabase
  let store: LogsStore
  const corpus: (NewEntry & { id: number })[] = []

  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    await migrate(database.db, { module: 'logs', migrations, dialect: 'sqlite' })
    store = createLogsStore(database)
    const random = seededRandom(7)
    const entries: NewEntry[] = []
    for (let i = 0; i < ENTRIES; i++) {
      const r = random()
      const l = random()
      const words = [
        random() < 0.9 ? 'common' : 'seldom',
        random() < 0.3 ? 'often' : 'other',
        r < 0.004 ? 'rare' : 'plain',
        random() < 0.5 ? 'alpha beta' : 'beta alpha',
      ]
      entries.push({
        timestamp: T0 + i * STEP,
        container: i % 100 === 0 ? 'small' : i % 2 ? 'api' : 'web',
        stream: 'stdout',
        level: (l > 0.998 ? 'CRITICAL' : l > 0.9 ? 'ERROR' : 'INFO') as Level,
        // Some non-ASCII, which the probe plan leaves to FTS5 rather than checking it in JS.
        message: `${words.join(' ')} #${i}${i % 80 === 0 ? ' Grüße' : ''}`,
        attributes: null,
      })
    }
    for (let start = 0; start < ENTRIES; start += 10_000) {
      const batch = entries.slice(start, start + 10_000)
      const ids = await store.insert(batch)
      corpus.push(...batch.map((entry, i) => ({ ...entry, id: ids[i]! })))
    }
  })
  afterAll(() => database.destroy())

  /** The oracle: every entry checked against the query, newest first. */
  function expected(filter: Omit<EntryFilter, 'limit' | 'offset'>) {
    return corpus
      .filter(
        (e) =>
          (filter.container === undefined || e.container === filter.container) &&
          (filter.levels === undefined || filter.levels.includes(e.level)) &&
          (filter.since === undefined || e.timestamp >= filter.since) &&
          (filter.until === undefined || e.timestamp <= filter.until) &&
          (filter.search === undefined || matches(filter.search, e.message)),
      )
      .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id)
      .map((e) => e.id)
  }

  const hour = 3_600_000
  const cases: [string, Omit<EntryFilter, 'limit' | 'offset' | 'search'> & { q: string }][] = [
    ['a word in 90 % of entries', { q: 'common' }],
    ['a rare word', { q: 'rare' }],
    ['a phrase', { q: '"alpha beta" rare' }],
    ['OR', { q: 'rare OR seldom' }],
    ['NOT leaving many', { q: 'common -often' }],
    ['NOT voiding a group beside a plain one', { q: 'rare OR often -often' }],
    ['NOT leaving few (walks the whole index)', { q: 'often -common -other' }],
    ['NOT leaving nothing', { q: 'common -common' }],
    ['no match', { q: 'zebra' }],
    ['text + a time window', { q: 'rare', since: T0 + 3 * hour, until: T0 + 5 * hour }],
    [
      'common text + a short time window',
      { q: 'common -often', since: T0 + 9 * hour, until: T0 + 9.2 * hour },
    ],
    ['text + since', { q: 'often', since: T0 + 16 * hour }],
    ['common text + a common container', { q: 'common', container: 'api' }],
    ['common text + a small container (probed)', { q: 'common', container: 'small' }],
    [
      'non-ASCII text + a small container at one level (probed)',
      { q: 'common GRÜSSE OR grüße -rare', container: 'small', levels: ['ERROR'] },
    ],
    ['common text + a rare level (probed)', { q: 'common', levels: ['CRITICAL'] }],
    [
      'NOT, OR and a phrase + a small container at one level (probed)',
      { q: 'common -often OR "beta alpha" seldom', container: 'small', levels: ['ERROR'] },
    ],
    ['rare text + a container', { q: 'rare', container: 'web' }],
    ['text + container + rare level', { q: 'common', container: 'api', levels: ['CRITICAL'] }],
    [
      'text + container + level + time',
      { q: 'rare OR seldom', container: 'api', levels: ['ERROR'], since: T0 + hour },
    ],
  ]

  it.each(cases)('%s: the same page and total as a full scan', async (_name, { q, ...filter }) => {
    const search = parseSearch(q)
    const all = expected({ ...filter, search })
    for (const [limit, offset] of [
      [100, 0],
      [50, 200],
    ] as const) {
      const page = await store.query({ ...filter, search, limit, offset })
      expect(page.entries.map((e) => e.id)).toEqual(all.slice(offset, offset + limit))
      const capped = all.length > COUNT_CAP
      expect(page.total).toBe(capped ? Math.max(COUNT_CAP, offset + page.entries.length) : all.length)
      expect(page.totalCapped).toBe(capped)
    }
  })

  it('finds entries written late with old timestamps by their time, and forgets pruned hours', async () => {
    const late = await store.insert([
      {
        timestamp: T0 + 30 * 60_000,
        container: 'api',
        stream: 'stdout',
        level: 'INFO',
        message: 'backfilled rare',
        attributes: null,
      },
    ])
    const window = { since: T0 + 29 * 60_000, until: T0 + 31 * 60_000, limit: 100, offset: 0 }
    const page = await store.query({ ...window, search: parseSearch('backfilled') })
    expect(page.entries.map((e) => e.id)).toEqual(late)
    const rare = await store.query({ ...window, search: parseSearch('rare') })
    expect(rare.entries.map((e) => e.id)).toContain(late[0])

    // Retention drops all but the newest 1,000 entries (the late one among them); the hours left without
    // entries leave the map, and a search of those hours finds nothing.
    for (let deleted = 1; deleted > 0; ) deleted = await store.trimToMax(1_000, 10_000)
    await store.tidyIndexes()
    const hours = await database.db
      .selectFrom('monlight_logs_hour_ids')
      .select('hour')
      .orderBy('hour')
      .execute()
    expect(hours.map((row) => row.hour)).toEqual([T0 / hour, T0 / hour + 16]) // the late entry's, the newest
    expect(
      (await store.query({ ...window, search: parseSearch('backfilled') })).entries.map((e) => e.id),
    ).toEqual(late)
    const early = { since: T0, until: T0 + 10 * hour, limit: 100, offset: 0 }
    expect((await store.query({ ...early, search: parseSearch('common') })).entries).toEqual([])
  })
})

/** The documented semantics, independently: all include terms (phrases as consecutive tokens), no exclude term. */
function matches(search: SearchQuery, message: string): boolean {
  const tokens = message.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const has = (term: string[]) => tokens.some((_, i) => term.every((token, j) => tokens[i + j] === token))
  return search.groups.some((g) => g.include.every(has) && !g.exclude.some(has))
}
