import {
  type AdapterServer,
  createTestDatabase,
  describeDialects,
  seededRandom,
  serveWithAdapter,
  type TestDatabase,
} from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, DSN_KEY, type TestRelay } from '../__fixtures__/harness.js'

const ROUNDS = 120

const STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '💥'.repeat(60),
  '<script>alert(1)</script>',
  "'; drop table monlight_relay_dsn_keys; --",
  '../../etc/passwd',
  'x'.repeat(600),
  'https://*.*.example.com',
  'http://evil.test/:1:2',
  '    at a (/static/app.min.js:1:99999999999)',
  'a@b:1:2\n@@@:0:0\nat (:::)',
  '__proto__',
  '{"version":3,"sources":[],"mappings":";;;;;;;;;"}',
  '{"version":3,"sources":[1,null],"names":[{}],"mappings":"+++/////"}',
]
const VALUES: unknown[] = [...STRINGS, null, true, 0, -1, 1.5, 1e308, [], [1, 'a'], {}, { nested: [null] }]

const ENDPOINTS: { method: string; path: string; fields: string[]; dsn?: boolean }[] = [
  {
    method: 'POST',
    path: '/api/browser/errors',
    dsn: true,
    fields: ['type', 'message', 'stack', 'url', 'release', 'context', 'session_id'],
  },
  { method: 'POST', path: '/api/browser/metrics', dsn: true, fields: ['metrics', 'session_id', 'url'] },
  { method: 'POST', path: '/api/dsn-keys', fields: ['project', 'allowed_origins', 'rate_limit'] },
  { method: 'PATCH', path: '/api/dsn-keys/1', fields: ['allowed_origins', 'rate_limit', 'active'] },
  { method: 'POST', path: '/api/source-maps', fields: ['project', 'release', 'file_url', 'map_content'] },
]

describeDialects('relay fuzz: hostile input gets 4xx, never 5xx', (dialect) => {
  let database: TestDatabase
  let harness: TestRelay
  let server: AdapterServer

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    harness = await createTestRelay({ rateLimit: false, sourceMaps: { maxBytes: 4096 } }, database)
    await harness.relay.service.putSourceMap({
      project: 'web',
      release: '1',
      file_url: '/static/app.min.js',
      map_content: '{"version":3,"sources":["a.ts"],"names":["n"],"mappings":"AAAAA,CAAC;AACA"}',
    })
    server = await serveWithAdapter('node', harness.relay.router)
  })
  afterAll(async () => {
    await server?.close()
    await database?.destroy()
  })

  const headersFor = (dsn: boolean | undefined, next: () => number): Record<string, string> => {
    const headers: Record<string, string> = dsn ? { 'x-monlight-key': DSN_KEY } : { 'x-api-key': ADMIN_KEY }
    if (next() < 0.3)
      headers.origin = STRINGS[Math.floor(next() * STRINGS.length)]!.replace(/[^\x20-\x7e]/g, '') || 'null'
    if (next() < 0.3)
      headers['content-type'] = next() < 0.5 ? 'text/plain' : 'multipart/form-data; boundary=x'
    return headers
  }

  it('answers random bodies with 2xx or 4xx only', async () => {
    const next = seededRandom(dialect.length * 7919)
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
    for (let round = 0; round < ROUNDS; round++) {
      const endpoint = pick(ENDPOINTS)
      const body: Record<string, unknown> = {}
      for (const field of endpoint.fields) if (next() < 0.8) body[field] = pick(VALUES)
      if (endpoint.path === '/api/browser/metrics' && next() < 0.6) {
        body.metrics = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
          name: pick(VALUES),
          type: pick(['counter', 'gauge', 'histogram', 'sum', 1]),
          value: pick([1, -1, 1e308, '1', null]),
          labels: pick(VALUES),
          count: pick([1, 0, -5, 'x']),
        }))
      }
      if (endpoint.path === '/api/browser/errors') body.release = pick(['1', '2', null])
      const raw =
        next() < 0.15 ? pick(['{', '[]', 'null', '"x"', '\u0000', '{"a":1}'.repeat(3)]) : JSON.stringify(body)
      const response = await server.fetch(endpoint.path, {
        method: endpoint.method,
        headers: headersFor(endpoint.dsn, next),
        body: raw,
      })
      const text = await response.text()
      expect(
        response.status,
        `${endpoint.method} ${endpoint.path} ${raw.slice(0, 300)} → ${text}`,
      ).toBeLessThan(500)
    }
  })

  it('answers hostile paths, ids, methods, query strings and sizes with 4xx', async () => {
    const cases: [string, RequestInit][] = [
      ['/api/dsn-keys/-1', { method: 'DELETE' }],
      ['/api/dsn-keys/99999999999999999999', { method: 'DELETE' }],
      ['/api/dsn-keys/1e3', { method: 'PATCH', body: '{}' }],
      ['/api/source-maps/%00', { method: 'DELETE' }],
      [`/api/source-maps?project=${'x'.repeat(5000)}`, { method: 'GET' }],
      ['/api/source-maps', { method: 'PUT' }],
      ['/api/browser/errors?key=%ED%A0%80', { method: 'POST', body: '{}' }],
      [`/api/browser/errors?key=${'k'.repeat(5000)}`, { method: 'POST', body: '{}' }],
      ['/api/browser/../dsn-keys', { method: 'GET' }],
      ['/api/browser/errors', { method: 'POST', body: 'x'.repeat(70_000) }],
      ['/api/source-maps', { method: 'POST', body: 'x'.repeat(20_000) }],
      [
        '/api/source-maps',
        {
          method: 'POST',
          headers: { 'content-type': 'multipart/form-data; boundary=zz' },
          body: '--zz\r\nbroken',
        },
      ],
      ['/api/source-maps', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }],
      ['/nope', { method: 'GET' }],
    ]
    for (const [path, init] of cases) {
      const headers: Record<string, string> = {
        ...(path.startsWith('/api/browser') ? { 'x-monlight-key': DSN_KEY } : { 'x-api-key': ADMIN_KEY }),
        ...(init.headers as Record<string, string>),
      }
      const response = await server.fetch(path, { ...init, headers })
      const text = await response.text()
      expect(response.status, `${init.method} ${path.slice(0, 80)} → ${text}`).toBeGreaterThanOrEqual(400)
      expect(response.status, `${init.method} ${path.slice(0, 80)} → ${text}`).toBeLessThan(500)
    }
    // A project that cannot exist is simply not found.
    const odd = await server.fetch('/api/source-maps?project=%ED%A0%80', {
      headers: { 'x-api-key': ADMIN_KEY },
    })
    expect(await odd.json()).toEqual({ source_maps: [], total: 0 })
  })
})
