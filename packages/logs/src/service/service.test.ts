import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createLogs, type LogsModule } from '../index.js'

const T0 = Date.parse('2025-01-20T10:00:00Z')

const CORPUS = [
  { container: 'api', level: 'INFO', message: 'GET /users 200 in 12ms' },
  { container: 'api', level: 'ERROR', message: 'connection refused by db.example.com:5432' },
  { container: 'api', level: 'WARNING', message: 'request timeout after 30s' },
  { container: 'web', level: 'DEBUG', message: 'debug: connection pool size 10' },
  { container: 'web', level: 'ERROR', message: 'Timeout while refused connection retried' },
  { container: 'web', level: 'CRITICAL', message: 'out of memory: killed process 42' },
  { container: 'worker', level: 'INFO', message: 'job_done id=7 refused=false' },
  {
    container: 'worker',
    level: 'ERROR',
    message: 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad connection',
  },
]

describeDialects('logs service', (dialect) => {
  let database: TestDatabase
  let logs: LogsModule
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    logs = createLogs({ database, apiKeys: false, maxEntries: 5 })
    await logs.migrate()
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    await database.db.deleteFrom('monlight_logs_entry').execute()
    await database.db.deleteFrom('monlight_logs_cursor').execute()
    await logs.write(CORPUS.map((entry, i) => ({ ...entry, timestamp: T0 + i * 60_000 })))
  })

  const messages = async (query: Record<string, string>) =>
    (await logs.service.query(query)).logs.map((log) => log.message)

  it('stores NUL in a message or container as U+FFFD on every dialect (PostgreSQL text cannot hold it)', async () => {
    await logs.write([{ message: 'a\u0000b', container: 'c\u0000d' }])
    const page = await logs.service.query({ search: 'a' })
    expect(page.logs.find((log) => log.container === 'c\uFFFDd')?.message).toBe('a\uFFFDb')
  })

  it('lists newest first with the upstream envelope', async () => {
    const page = await logs.service.query({ limit: '3' })
    expect(page).toMatchObject({ total: 8, limit: 3, offset: 0 })
    expect(page.logs.map((l) => l.container)).toEqual(['worker', 'worker', 'web'])
    expect(page.logs[0]).toEqual({
      id: expect.any(Number),
      timestamp: '2025-01-20T10:07:00.000Z',
      container: 'worker',
      stream: 'stdout',
      level: 'ERROR',
      message: CORPUS[7]!.message,
    })
  })

  it('filters by container, exact level, >=level (with aliases), time and paging', async () => {
    expect((await logs.service.query({ container: 'web' })).total).toBe(3)
    expect((await logs.service.query({ level: 'ERROR' })).total).toBe(3)
    expect((await logs.service.query({ level: 'err' })).total).toBe(3)
    expect((await logs.service.query({ level: '>=ERROR' })).total).toBe(4)
    expect((await logs.service.query({ level: '>=warn' })).total).toBe(5)
    expect((await logs.service.query({ level: '>=DEBUG' })).total).toBe(8)
    const window = await logs.service.query({ since: '2025-01-20T10:02:00Z', until: '2025-01-20T10:04:00Z' })
    expect(window.logs.map((l) => l.timestamp)).toEqual([
      '2025-01-20T10:04:00.000Z',
      '2025-01-20T10:03:00.000Z',
      '2025-01-20T10:02:00.000Z',
    ])
    expect((await logs.service.query({ since: String(T0 + 6 * 60_000) })).total).toBe(2)
    const second = await logs.service.query({ limit: '2', offset: '2' })
    expect(second.logs.map((l) => l.message)).toEqual([CORPUS[5]!.message, CORPUS[4]!.message])
    expect((await logs.service.query({ limit: '0' })).limit).toBe(100)
    expect((await logs.service.query({ limit: '9999' })).limit).toBe(500)
  })

  it('combines container, levels and text newest first, with the (container, level) index or without', async () => {
    // Few rows per container: SQLite reads them off the (container, level) index and sorts them.
    expect(await messages({ container: 'web', level: '>=ERROR' })).toEqual([
      CORPUS[5]!.message,
      CORPUS[4]!.message,
    ])
    expect(await messages({ container: 'web', level: '>=ERROR', search: 'refused' })).toEqual([
      CORPUS[4]!.message,
    ])
    expect(await messages({ container: 'api', level: 'ERROR', search: 'timeout' })).toEqual([])
    const paged = await logs.service.query({ container: 'web', level: '>=DEBUG', limit: '2', offset: '1' })
    expect(paged).toMatchObject({ total: 3 })
    expect(paged.logs.map((log) => log.message)).toEqual([CORPUS[4]!.message, CORPUS[3]!.message])
    // Many rows at those levels: the container's index drives newest first (the same answers).
    await logs.write(
      Array.from({ length: 5_200 }, (_, i) => ({
        container: 'busy',
        level: i % 2 ? 'ERROR' : 'INFO',
        message: `busy ${i}${i === 5_199 ? ' refused' : ''}`,
        timestamp: T0 + 3_600_000 + i,
      })),
    )
    const errors = await logs.service.query({ container: 'busy', level: 'ERROR', limit: '2' })
    expect(errors.logs.map((log) => log.message)).toEqual(['busy 5199 refused', 'busy 5197'])
    expect(errors.total).toBe(1000) // 2,600: counted up to the cap
    const all = await logs.service.query({ container: 'busy', level: '>=INFO', limit: '2' }) // 5,200: over 5,000
    expect(all.logs.map((log) => log.message)).toEqual(['busy 5199 refused', 'busy 5198'])
    expect(await messages({ container: 'busy', level: '>=INFO', search: 'refused' })).toEqual([
      'busy 5199 refused',
    ])
  })

  it('searches words, phrases, OR, NOT and -word the same way on every dialect', async () => {
    expect(await messages({ search: 'refused' })).toEqual([
      CORPUS[6]!.message,
      CORPUS[4]!.message,
      CORPUS[1]!.message,
    ])
    expect(await messages({ search: 'CONNECTION refused' })).toEqual([CORPUS[4]!.message, CORPUS[1]!.message])
    expect(await messages({ search: '"connection refused"' })).toEqual([CORPUS[1]!.message])
    expect(await messages({ search: '"refused connection"' })).toEqual([CORPUS[4]!.message])
    expect(await messages({ q: 'timeout OR memory' })).toEqual([
      CORPUS[5]!.message,
      CORPUS[4]!.message,
      CORPUS[2]!.message,
    ])
    expect(await messages({ search: 'connection NOT debug' })).toEqual([
      CORPUS[7]!.message,
      CORPUS[4]!.message,
      CORPUS[1]!.message,
    ])
    expect(await messages({ search: 'connection -refused -debug' })).toEqual([CORPUS[7]!.message])
    // punctuation splits words: a dotted name is a phrase of its parts
    expect(await messages({ search: 'db.example.com' })).toEqual([CORPUS[1]!.message])
    expect(await messages({ search: 'job_done' })).toEqual([CORPUS[6]!.message])
    expect(await messages({ search: 'ValueError' })).toEqual([CORPUS[7]!.message])
    expect(await messages({ search: 'nothing-here' })).toEqual([])
    expect(await messages({ search: 'refused', container: 'api', level: '>=ERROR' })).toEqual([
      CORPUS[1]!.message,
    ])
    // text plus filters (SQLite lets the filters' index drive when the matches are few): same rows, newest first
    expect(await messages({ search: 'connection', level: '>=ERROR' })).toEqual([
      CORPUS[7]!.message,
      CORPUS[4]!.message,
      CORPUS[1]!.message,
    ])
    expect(
      await messages({
        q: 'refused OR timeout',
        since: '2025-01-20T10:02:00Z',
        until: '2025-01-20T10:06:00Z',
      }),
    ).toEqual([CORPUS[6]!.message, CORPUS[4]!.message, CORPUS[2]!.message])
    const page = await logs.service.query({ search: 'connection', level: '>=ERROR', limit: '2', offset: '1' })
    expect(page).toMatchObject({
      total: 3,
      logs: [{ message: CORPUS[4]!.message }, { message: CORPUS[1]!.message }],
    })
  })

  it('turns search mistakes into 400s that say what to fix', async () => {
    for (const [search, reason] of [
      ['"unterminated', /closing quote/],
      ['NOT debug', /NOT needs a word/],
      ['error OR', /OR needs a word/],
      ['(a OR b)', /parentheses/],
      ['... ---', /no words/],
    ] as const) {
      await expect(logs.service.query({ search })).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(reason),
      })
    }
    await expect(logs.service.query({ level: 'loud' })).rejects.toMatchObject({ status: 400 })
    await expect(logs.service.query({ since: 'yesterday' })).rejects.toMatchObject({ status: 400 })
    await expect(logs.service.query({ limit: '-1' })).rejects.toMatchObject({ status: 400 })
  })

  it('reports containers, stats and health', async () => {
    expect(await logs.service.containers()).toEqual({
      containers: [
        { name: 'api', log_count: 3 },
        { name: 'web', log_count: 3 },
        { name: 'worker', log_count: 2 },
      ],
    })
    const stats = await logs.service.stats()
    expect(stats).toEqual({
      total_logs: 8,
      oldest_log: '2025-01-20T10:00:00.000Z',
      newest_log: '2025-01-20T10:07:00.000Z',
      by_level: { CRITICAL: 1, DEBUG: 1, ERROR: 3, INFO: 2, WARNING: 1 },
      by_container: { api: 3, web: 3, worker: 2 },
    })
    expect(Object.keys(stats.by_level)).toEqual(['CRITICAL', 'DEBUG', 'ERROR', 'INFO', 'WARNING'])
    expect(await logs.service.health()).toEqual({ logs_indexed: 8, last_ingest: '2025-01-20T10:07:00.000Z' })
  })

  it('validates written entries, detects missing levels and keeps attributes', async () => {
    await expect(logs.write([{ message: 1 }])).rejects.toMatchObject({ status: 400, message: /log entry 0/ })
    await expect(logs.write([{ message: 'x', level: 'LOUD' }])).rejects.toMatchObject({ status: 400 })
    await expect(logs.write([{ message: 'x', timestamp: 'soon' }])).rejects.toMatchObject({ status: 400 })
    await logs.write([
      { source: 'cron', message: '[WARN] disk 91%', attributes: { disk: '/dev/sda1' } },
      { message: 'plain', stream: 'stderr' },
    ])
    const [plain, cron] = (await logs.service.query({ limit: '2' })).logs
    expect(cron).toMatchObject({ container: 'cron', level: 'WARNING', attributes: { disk: '/dev/sda1' } })
    expect(plain).toMatchObject({ container: 'default', level: 'ERROR', stream: 'stderr' })
  })

  it('keeps MAX_ENTRIES newest entries (ring buffer), deleting their index rows too', async () => {
    await logs.service.applyRetention(5, undefined)
    const page = await logs.service.query({})
    expect(page.total).toBe(5)
    expect(page.logs.at(-1)!.message).toBe(CORPUS[3]!.message)
    expect(await messages({ search: 'refused' })).toEqual([CORPUS[6]!.message, CORPUS[4]!.message])
    await logs.service.applyRetention(100, 1) // everything is older than a day
    expect((await logs.service.query({})).total).toBe(0)
  })

  it('stores entries and cursors atomically', async () => {
    const cursor = {
      path: '/x/a-json.log',
      container: 'a',
      inode: '18446744073709551615',
      position: 10,
      pending: null,
    }
    await logs.service.ingest(
      [{ timestamp: T0, container: 'a', stream: 'stdout', level: 'INFO', message: 'one', attributes: null }],
      [cursor],
    )
    await logs.service.ingest([], [{ ...cursor, position: 20, pending: '{}' }])
    const { cursors } = await import('../store/store.js').then(({ createLogsStore }) => ({
      cursors: createLogsStore(database).cursors(),
    }))
    expect(await cursors).toEqual([{ ...cursor, position: 20, pending: '{}' }])
  })
})

describe('search syntax', () => {
  it('translates one query to both dialects', async () => {
    const { parseSearch } = await import('./search-syntax.js')
    const { toFts5, toTsquery } = await import('./search-syntax.js')
    const query = parseSearch('error "connection refused" OR timeout -debug')
    expect(toFts5(query)).toBe('("error" AND "connection refused") OR (("timeout") NOT "debug")')
    expect(toTsquery(query)).toBe('(error & (connection <-> refused)) | (timeout & !debug)')
  })
})
