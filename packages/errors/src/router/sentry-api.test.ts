import type { ErrorEvent, ErrorReport } from '@monlight/core'
import {
  type AdapterServer,
  createTestDatabase,
  describeDialects,
  serveWithAdapter,
  type TestDatabase,
} from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createErrors, type ErrorsModule } from '../index.js'
import { manualClock, pythonReport } from '../test-support.js'
import { splitTags, toListFilter } from './list-query.js'

const KEY = 'sentry-api-key'
const HOUR = 3_600_000

const report = (type: string, event: ErrorEvent, overrides: Partial<ErrorReport> = {}): ErrorReport => ({
  project: 'shop',
  exception_type: type,
  message: `${type} happened`,
  traceback: '',
  environment: 'production',
  ...overrides,
  event: { exceptions: [{ type, value: `${type} happened`, frames: [] }], ...event },
})

describeDialects('errors HTTP API: Sentry-grade routes', (dialect) => {
  let database: TestDatabase
  let errors: ErrorsModule
  let server: AdapterServer
  const clock = manualClock()
  const ids: Record<string, number> = {}

  const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init
    const res = await server.fetch(path, {
      ...rest,
      headers: { 'x-api-key': KEY, ...(json !== undefined && { 'content-type': 'application/json' }) },
      ...(json !== undefined && { body: typeof json === 'string' ? json : JSON.stringify(json) }),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const post = (path: string, json?: unknown) =>
    call(path, { method: 'POST', ...(json !== undefined && { json }) })
  const listIds = async (query: string) => {
    const { status, body } = await call(`/api/errors?${query}`)
    expect(status, query).toBe(200)
    return (body.errors as { id: number }[]).map((error) => error.id)
  }

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    errors = createErrors({ database, apiKeys: [KEY], now: clock.now, keepEvents: 5 })
    await errors.migrate()
    server = await serveWithAdapter('fetch', errors.router)
    const ingest = async (name: string, r: ErrorReport, times = 1) => {
      for (let i = 0; i < times; i++) {
        clock.advance(1000)
        ids[name] = (await errors.service.ingest(r)).id
      }
    }
    await ingest(
      'chromeTimeout',
      report('GatewayTimeout', { contexts: { browser: { name: 'Chrome' } }, release: '1.0.0' }),
      3,
    )
    await ingest(
      'chromeOther',
      report('Crash', { contexts: { browser: { name: 'Chrome', version: '120' } }, release: '1.1.0' }),
      2,
    )
    await ingest(
      'firefoxTimeout',
      report(
        'ReadTimeout',
        { contexts: { browser: { name: 'Firefox', version: '121' } }, release: '1.1.0' },
        {
          environment: 'staging',
        },
      ),
    )
    await ingest(
      'blog',
      report('BlogError', { release: 'blog@2' }, { project: 'blog', environment: 'preview' }),
    )
    await ingest('upstream', pythonReport({ project: 'shop', environment: 'production' }))
    await ingest('paged', report('Paged', {}), 7)
  })
  afterAll(async () => {
    await server?.close()
    await database?.destroy()
  })

  it('GET api/errors: status, release, search with key:value terms, sort', async () => {
    expect(await listIds('search=browser:Chrome%20timeout')).toEqual([ids.chromeTimeout])
    expect(await listIds('search=browser.name:Chrome')).toEqual([ids.chromeOther, ids.chromeTimeout])
    expect(await listIds(`search=${encodeURIComponent('browser:"Chrome 120"')}`)).toEqual([ids.chromeOther])
    expect(await listIds('search=timeout&sort=count')).toEqual([ids.chromeTimeout, ids.firefoxTimeout])
    expect(await listIds('search=timeout&sort=first_seen')).toEqual([ids.firefoxTimeout, ids.chromeTimeout])
    expect(await listIds('release=1.1.0')).toEqual([ids.firefoxTimeout, ids.chromeOther])
    expect(await listIds('release=1.1.0&search=browser.name:Chrome')).toEqual([ids.chromeOther])
    expect(await listIds('search=release:1.0.0')).toEqual([ids.chromeTimeout])
    expect(await listIds('search=environment:staging%20timeout')).toEqual([ids.firefoxTimeout])
    expect(await listIds('project=shop&sort=count&limit=2')).toEqual([ids.paged, ids.chromeTimeout])
    // Empty and unknown values are no filter.
    expect(await listIds('status=&release=&search=&sort=')).toHaveLength(6)
    expect(await listIds('status=nonsense&sort=random')).toHaveLength(6)

    await post(`/api/errors/${ids.blog}/ignore`)
    expect(await listIds('status=ignored')).toEqual([ids.blog])
    expect(await listIds('status=unresolved')).not.toContain(ids.blog)
    expect(await listIds('')).toContain(ids.blog)
    await post(`/api/errors/${ids.blog}/unignore`)
    await post(`/api/errors/${ids.upstream}/resolve`)
    expect(await listIds('status=resolved')).toEqual([ids.upstream])
    expect(await listIds('resolved=true')).toEqual([ids.upstream])
    await post(`/api/errors/${ids.upstream}/unresolve`)

    const { body } = await call(`/api/errors?search=browser:Chrome%20timeout`)
    expect(body.errors[0]).toMatchObject({
      id: ids.chromeTimeout,
      status: 'unresolved',
      count: 3,
      first_release: '1.0.0',
      last_release: '1.0.0',
      level: 'error',
      sparkline: expect.any(Array),
    })
    expect(body.errors[0].sparkline).toHaveLength(24)
  })

  it('GET api/facets: environments and releases, per project', async () => {
    expect(await call('/api/facets')).toEqual({
      status: 200,
      body: { environments: ['preview', 'production', 'staging'], releases: ['blog@2', '1.1.0', '1.0.0'] },
    })
    expect((await call('/api/facets?project=blog')).body).toEqual({
      environments: ['preview'],
      releases: ['blog@2'],
    })
    expect((await call('/api/facets?project=')).body.environments).toHaveLength(3)
  })

  it('POST api/errors/bulk: one action on many groups; bad bodies are 400 with the reason', async () => {
    const a = ids.chromeOther
    const b = ids.firefoxTimeout
    expect(await post('/api/errors/bulk', { ids: [a, b, 999_999], action: 'resolve' })).toEqual({
      status: 200,
      body: { status: 'resolved', ids: [a, b], not_found: [999_999] },
    })
    expect((await post('/api/errors/bulk', { ids: [a, b], action: 'unresolve' })).body.ids).toEqual([a, b])
    const ignored = await post('/api/errors/bulk', { ids: [a], action: 'ignore', until: { count: 10 } })
    expect(ignored.body).toEqual({ status: 'ignored', ids: [a], not_found: [] })
    expect((await call(`/api/errors/${a}`)).body).toMatchObject({
      status: 'ignored',
      ignored_until_count: 12,
    })
    expect((await post('/api/errors/bulk', { ids: [a], action: 'unignore' })).body.status).toBe('unresolved')

    const cases: [unknown, string][] = [
      ['{not json', 'Invalid JSON'],
      ['', 'Invalid JSON'],
      ['[]', "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: 'all', action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: [a, -1], action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: [a] }, "Field 'action' must be one of resolve, unresolve, ignore, unignore"],
      [
        { ids: [a], action: 'ignore', until: { count: 0 } },
        "Field 'count' must be a whole number of reports from 1",
      ],
      [
        { ids: [a], action: 'ignore', until: { until: 'later' } },
        "Field 'until' must be an ISO 8601 time or epoch milliseconds",
      ],
    ]
    for (const [json, detail] of cases) {
      expect(await post('/api/errors/bulk', json), String(JSON.stringify(json))).toEqual({
        status: 400,
        body: { detail, code: expect.stringMatching(/^(VALIDATION_FAILED|INVALID_JSON)$/) },
      })
    }
  })

  it('GET api/errors/:id/events?limit=&before= pages the kept events, newest first', async () => {
    const seqs = async (query: string) => {
      const { status, body } = await call(`/api/errors/${ids.paged}/events${query}`)
      expect(status, query).toBe(200)
      return (body.events as { id: number }[]).map((event) => event.id)
    }
    expect(await seqs('')).toEqual([7, 6, 5, 4, 3])
    expect(await seqs('?limit=2')).toEqual([7, 6])
    expect(await seqs('?limit=2&before=6')).toEqual([5, 4])
    expect(await seqs('?before=3')).toEqual([])
    expect(await seqs('?limit=500&before=99999999999')).toEqual([7, 6, 5, 4, 3])
    expect(await seqs('?limit=&before=')).toEqual([7, 6, 5, 4, 3])
    for (const [query, name] of [
      ['?limit=0', 'limit'],
      ['?limit=-1', 'limit'],
      ['?limit=abc', 'limit'],
      ['?before=1.5', 'before'],
      ['?before=1e3', 'before'],
    ]) {
      expect(await call(`/api/errors/${ids.paged}/events${query}`), query).toEqual({
        status: 400,
        body: {
          detail: `Query parameter '${name}' must be a positive whole number`,
          code: 'VALIDATION_FAILED',
        },
      })
    }
    expect((await call('/api/errors/999999/events')).status).toBe(404)
    expect((await call('/api/errors/abc/events')).status).toBe(404)
  })

  it('GET api/errors/:id/events/:seq: one event with its neighbours; anything else is 404', async () => {
    const { status, body } = await call(`/api/errors/${ids.paged}/events/5`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      id: 5,
      previous: 4,
      next: 6,
      environment: 'production',
      event: { exceptions: [{ type: 'Paged' }] },
    })
    expect((await call(`/api/errors/${ids.paged}/events/3`)).body).toMatchObject({ previous: null, next: 4 })
    for (const seq of [
      '2',
      '0',
      '-1',
      'abc',
      '1.5',
      '0x5',
      '5e0',
      '%205',
      '05',
      '99999999999',
      '9'.repeat(20),
    ]) {
      expect(await call(`/api/errors/${ids.paged}/events/${seq}`), seq).toEqual({
        status: 404,
        body: { detail: expect.stringMatching(/not (found|kept)/), code: 'NOT_FOUND' },
      })
    }
    expect((await call('/api/errors/999999/events/1')).status).toBe(404)
  })

  it('an upstream report is served with an event parsed from its traceback', async () => {
    const { body } = await call(`/api/errors/${ids.upstream}`)
    expect(body.occurrences[0].event).toEqual({
      derived: true,
      platform: 'python',
      exceptions: [
        {
          type: 'TestError',
          value: 'Something failed',
          frames: [{ filename: '/app/test.py', lineno: 42, function: 'main', in_app: true }],
        },
      ],
    })
    expect((await call(`/api/errors/${ids.upstream}/events/1`)).body.event).toEqual(body.occurrences[0].event)
  })

  it('POST api/errors/:id/resolve with and without {in_release}', async () => {
    const id = ids.chromeOther
    expect(await post(`/api/errors/${id}/resolve`, { in_release: '1.1.0' })).toEqual({
      status: 200,
      body: { status: 'resolved', id },
    })
    expect((await call(`/api/errors/${id}`)).body).toMatchObject({
      status: 'resolved',
      resolved_in_release: '1.1.0',
    })
    await post(`/api/errors/${id}/unresolve`)
    expect((await call(`/api/errors/${id}`)).body).toMatchObject({
      status: 'unresolved',
      resolved_in_release: null,
    })
    for (const json of [undefined, {}, { in_release: '' }]) {
      expect((await post(`/api/errors/${id}/resolve`, json)).body).toEqual({ status: 'resolved', id })
      expect((await call(`/api/errors/${id}`)).body.resolved_in_release).toBeNull()
      await post(`/api/errors/${id}/unresolve`)
    }
    const bad: [unknown, number, string][] = [
      [{ in_release: 5 }, 400, "Field 'in_release' must be a release name"],
      [{ in_release: 'x'.repeat(201) }, 400, "Field 'in_release' must be at most 200 characters"],
      ['{nope', 400, 'Invalid JSON'],
      ['[1]', 400, 'Request body must be a JSON object'],
      ['null', 400, 'Request body must be a JSON object'],
    ]
    for (const [json, status, detail] of bad) {
      const res = await post(`/api/errors/${id}/resolve`, json)
      expect([res.status, res.body.detail], String(json)).toEqual([status, detail])
    }
    expect((await post('/api/errors/999999/resolve', { in_release: '1' })).status).toBe(404)
  })

  it('POST api/errors/:id/ignore with {}, {until}, {count}; invalid is 400; /unignore', async () => {
    const id = ids.firefoxTimeout
    const detail = async () => (await call(`/api/errors/${id}`)).body
    expect(await post(`/api/errors/${id}/ignore`, {})).toEqual({
      status: 200,
      body: { status: 'ignored', id },
    })
    expect(await detail()).toMatchObject({
      status: 'ignored',
      ignored_until: null,
      ignored_until_count: null,
    })
    expect(await post(`/api/errors/${id}/unignore`)).toEqual({
      status: 200,
      body: { status: 'unresolved', id },
    })
    expect((await detail()).status).toBe('unresolved')

    const until = new Date(clock.now() + HOUR).toISOString()
    await post(`/api/errors/${id}/ignore`, { until })
    expect(await detail()).toMatchObject({ status: 'ignored', ignored_until: until.replace('.000Z', 'Z') })
    await post(`/api/errors/${id}/ignore`, { until: clock.now() + 2 * HOUR })
    expect((await detail()).ignored_until).toBe(
      new Date(clock.now() + 2 * HOUR).toISOString().replace('.000Z', 'Z'),
    )
    await post(`/api/errors/${id}/ignore`, { count: 5 })
    expect(await detail()).toMatchObject({ status: 'ignored', ignored_until: null, ignored_until_count: 6 })
    await post(`/api/errors/${id}/ignore`, { until, count: 5 })
    expect(await detail()).toMatchObject({
      ignored_until: until.replace('.000Z', 'Z'),
      ignored_until_count: 6,
    })
    await post(`/api/errors/${id}/ignore`)
    expect(await detail()).toMatchObject({
      status: 'ignored',
      ignored_until: null,
      ignored_until_count: null,
    })

    const bad: [unknown, string][] = [
      [{ until: 'soon' }, "Field 'until' must be an ISO 8601 time or epoch milliseconds"],
      [{ until: true }, "Field 'until' must be an ISO 8601 time or epoch milliseconds"],
      [{ until: 1e300 }, "Field 'until' must be an ISO 8601 time or epoch milliseconds"],
      [{ until: [1] }, "Field 'until' must be an ISO 8601 time or epoch milliseconds"],
      [{ count: 0 }, "Field 'count' must be a whole number of reports from 1"],
      [{ count: 'ten' }, "Field 'count' must be a whole number of reports from 1"],
      [{ count: 2.5 }, "Field 'count' must be a whole number of reports from 1"],
      ['[]', 'Request body must be a JSON object'],
      ['{', 'Invalid JSON'],
    ]
    for (const [json, message] of bad) {
      const res = await post(`/api/errors/${id}/ignore`, json)
      expect([res.status, res.body.detail], JSON.stringify(json)).toEqual([400, message])
    }
    // Fractions of a millisecond are rounded (the column is a bigint on PostgreSQL).
    expect((await post(`/api/errors/${id}/ignore`, { until: clock.now() + 1.5 })).status).toBe(200)
    expect((await post('/api/errors/999999/ignore', {})).status).toBe(404)
    expect((await post('/api/errors/999999/unignore')).status).toBe(404)
    await post(`/api/errors/${id}/unignore`)
  })
})

describe('splitTags', () => {
  it.each([
    ['browser:Chrome timeout', 'timeout', [['browser', 'Chrome']]],
    ['timeout browser:Chrome', 'timeout', [['browser', 'Chrome']]],
    [
      'release:"1.2 beta" os.name:macOS  slow   query',
      'slow query',
      [
        ['release', '1.2 beta'],
        ['os.name', 'macOS'],
      ],
    ],
    ['browser:"Chrome 120"', '', [['browser', 'Chrome 120']]],
    ['user:id:42', '', [['user', 'id:42']]],
    ['_private:x', '', [['_private', 'x']]],
    [
      'browser.name:Chrome browser.name:Firefox',
      '',
      [
        ['browser.name', 'Chrome'],
        ['browser.name', 'Firefox'],
      ],
    ],
    // URLs and times are text; a URL as a tag's value is fine.
    ['failed https://api.example.com/v1/x', 'failed https://api.example.com/v1/x', []],
    ['url:https://shop.example.com/cart', '', [['url', 'https://shop.example.com/cart']]],
    ['timeout at 10:30', 'timeout at 10:30', []],
    // No value, a value after a space, or a key glued to text: text.
    ['browser: Chrome', 'browser: Chrome', []],
    ['browser:', 'browser:', []],
    ['!browser:Chrome', '!browser:Chrome', []],
    ['"browser:Chrome"', '"browser:Chrome"', []],
    // Edge cases, as they are: an empty quoted value is a tag that matches nothing; an unclosed quote is kept.
    ['release:""', '', [['release', '']]],
    ['browser:"Chrome 120', '120', [['browser', '"Chrome']]],
    [`${'k'.repeat(65)}:v`, `${'k'.repeat(65)}:v`, []],
    [`${'k'.repeat(64)}:v`, '', [['k'.repeat(64), 'v']]],
  ])('%s', (search, text, tags) => {
    expect(splitTags(search)).toEqual({ text, tags })
  })

  it('takes at most 10 tag terms; the rest stay text', () => {
    const search = Array.from({ length: 12 }, (_, i) => `k${i}:v${i}`).join(' ')
    const { text, tags } = splitTags(search)
    expect(tags).toHaveLength(10)
    expect(text).toBe('k10:v10 k11:v11')
  })

  it('toListFilter reads status, release, sort and the search terms', () => {
    expect(
      toListFilter({ status: 'ignored', release: '1.0', sort: 'count', search: 'browser:Chrome boom' }),
    ).toMatchObject({
      resolved: false,
      status: 'ignored',
      release: '1.0',
      sort: 'count',
      tags: [['browser', 'Chrome']],
      search: 'boom',
    })
    expect(toListFilter({ status: 'resolved' })).toMatchObject({ resolved: true, status: 'resolved' })
    const plain = toListFilter({ status: 'x', sort: 'x', release: '', search: 'browser:Chrome' })
    expect(plain).not.toHaveProperty('status')
    expect(plain).not.toHaveProperty('sort')
    expect(plain).not.toHaveProperty('release')
    expect(plain.search).toBeUndefined()
    // NUL reads as U+FFFD, in the text and in tag values.
    expect(toListFilter({ search: 'a\u0000b:c x:y\u0000' })).toMatchObject({
      search: 'a\uFFFDb:c',
      tags: [['x', 'y\uFFFD']],
    })
  })
})
