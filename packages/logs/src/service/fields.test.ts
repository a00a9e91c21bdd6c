import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogs, type LogsModule } from '../index.js'
import { parseLogSearch } from './search-syntax.js'

const T0 = Date.parse('2025-01-20T10:00:00Z')

// What OTLP, Loki and JSON log lines leave in attributes: dotted names, nesting, numbers, booleans, null.
const ENTRIES = [
  {
    container: 'api',
    message: 'order placed',
    attributes: { user_id: 42, 'http.method': 'POST', resource: { 'service.name': 'shop' }, ok: true },
  },
  {
    container: 'api',
    message: 'order failed',
    level: 'ERROR',
    attributes: { user_id: '42', 'http.method': 'GET', req: { headers: { host: 'a.example' } }, ok: false },
  },
  { container: 'web', message: 'page served', attributes: { user_id: 7, env: 'dev', trace_id: null } },
  { container: 'web', message: 'order viewed', attributes: { env: 'prod', note: 'say "hi" there' } },
  { container: 'worker', message: 'order shipped' },
  // The searched key is not the first of its object; a value with a newline (escaped in the JSON text).
  {
    container: 'web',
    message: 'multi line value',
    attributes: { resource: { region: 'eu', 'service.name': 'shop' }, note: 'a\nb c' },
  },
  { container: 'worker', message: 'nul inside', attributes: { user_id: 'a\u0000b' } },
]

describeDialects('log field filters', (dialect) => {
  let database: TestDatabase
  let logs: LogsModule
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    logs = createLogs({ database, apiKeys: false })
    await logs.migrate()
    await logs.write(ENTRIES.map((entry, i) => ({ ...entry, timestamp: T0 + i * 60_000 })))
  })
  afterAll(() => database.destroy())

  const messages = async (search: string, extra: Record<string, string> = {}) =>
    (await logs.service.query({ search, ...extra })).logs.map((log) => log.message).sort()

  it('matches an attribute by its text: numbers and strings alike, booleans as words', async () => {
    expect(await messages('attr.user_id:42')).toEqual(['order failed', 'order placed'])
    expect(await messages('attr.ok:true')).toEqual(['order placed'])
    expect(await messages('attr.ok:false')).toEqual(['order failed'])
    expect(await messages('attr.env:prod')).toEqual(['order viewed'])
  })

  it('finds dotted OpenTelemetry names, nested keys and quoted segments', async () => {
    expect(await messages('attr.http.method:POST')).toEqual(['order placed'])
    expect(await messages('attr.resource.service.name:shop')).toEqual(['multi line value', 'order placed'])
    expect(await messages('attr.resource."service.name":shop')).toEqual(['multi line value', 'order placed'])
    expect(await messages('attr.note:"a\nb c"')).toEqual(['multi line value'])
    expect(await messages('attr.note:"a b c"')).toEqual([])
    expect(await messages('attr.req.headers.host:a.example')).toEqual(['order failed'])
    expect(await messages('attr."http.method":GET')).toEqual(['order failed'])
  })

  it('tests presence with *, negates with - or NOT (entries without the field match a negation)', async () => {
    expect(await messages('attr.env:*')).toEqual(['order viewed', 'page served'])
    expect(await messages('attr.trace_id:*')).toEqual(['page served'])
    expect(await messages('-attr.env:dev container:web')).toEqual(['multi line value', 'order viewed'])
    expect(await messages('NOT attr.user_id:42 service:api')).toEqual([])
    expect(await messages('-attr.env:* service:api')).toEqual(['order failed', 'order placed'])
  })

  it('combines fields with words, OR alternatives, the container and level parameters', async () => {
    expect(await messages('order attr.user_id:42')).toEqual(['order failed', 'order placed'])
    expect(await messages('order -failed attr.user_id:42')).toEqual(['order placed'])
    expect(await messages('shipped OR viewed OR placed attr.user_id:*')).toEqual(['order placed'])
    expect(await messages('placed OR failed attr.http.method:GET')).toEqual(['order failed'])
    expect(await messages('order service:web')).toEqual(['order viewed'])
    expect(await messages('order', { container: 'api', level: 'ERROR' })).toEqual(['order failed'])
    expect(await messages('level:error')).toEqual(['order failed'])
    expect(await messages('level:>=warning attr.user_id:42')).toEqual(['order failed'])
    expect(await messages('-level:info')).toEqual(['order failed'])
    expect(await messages('service:web', { container: 'api' })).toEqual([])
    expect(await messages('level:error', { level: 'INFO' })).toEqual([])
  })

  it('a stored escaped NUL never makes a field search fail', async () => {
    expect(await messages('attr.user_id:*')).toContain('order placed')
    expect(await messages('-attr.user_id:42 service:worker')).toEqual(['nul inside', 'order shipped'])
  })

  it('turns field mistakes into 400s that say what to fix', async () => {
    for (const [search, says] of [
      ['attr.:1', 'attr.<name>:<value>'],
      ['attr.user_id', 'attr.<name>:<value>'],
      ['attr.user_id:', 'needs a value'],
      ['attr."open:1', 'closing quote'],
      ['level:loud', 'DEBUG, INFO'],
      ['attr.a:1 OR attr.a:2', 'whole search'],
    ]) {
      await expect(logs.service.query({ search })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining(says),
      })
    }
  })

  it('lists a text search newest first by time, also for a backlog ingested out of order', async () => {
    // A tailer catching up reads one file, then another: 12:57, then 12:55 and 12:56.
    for (const minute of [57, 55, 56, 54]) {
      await logs.write([
        {
          container: 'order',
          message: `request done at ${minute}`,
          timestamp: `2025-01-20T12:${minute}:00Z`,
        },
      ])
    }
    const page = await logs.service.query({ search: 'request done', container: 'order' })
    expect(page.logs.map((log) => log.message)).toEqual([
      'request done at 57',
      'request done at 56',
      'request done at 55',
      'request done at 54',
    ])
    const second = await logs.service.query({
      search: 'request -54',
      container: 'order',
      limit: '2',
      offset: '1',
    })
    expect(second.logs.map((log) => log.message)).toEqual(['request done at 56', 'request done at 55'])
  })
})

describe('field filter syntax', () => {
  it('reads paths as their possible key paths and values as text', () => {
    expect(parseLogSearch('attr.a.b.c:1')).toEqual({
      fields: [
        {
          field: 'attr',
          paths: [['a.b.c'], ['a', 'b.c'], ['a', 'b', 'c']],
          value: '1',
          negate: false,
        },
      ],
    })
    expect(parseLogSearch('x -attr.a."b.c":"two words"').fields).toEqual([
      { field: 'attr', paths: [['a', 'b.c']], value: 'two words', negate: true },
    ])
    expect(parseLogSearch('service:api').fields).toEqual([
      { field: 'container', value: 'api', negate: false },
    ])
  })

  it('leaves other name:value words to the text search', () => {
    expect(parseLogSearch('error:timeout')).toEqual({
      text: { groups: [{ include: [['error', 'timeout']], exclude: [] }] },
      fields: [],
    })
  })
})
