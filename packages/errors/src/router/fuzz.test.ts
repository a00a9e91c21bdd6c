import {
  type AdapterServer,
  createTestDatabase,
  describeDialects,
  seededRandom,
  serveWithAdapter,
  type TestDatabase,
} from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createErrors } from '../index.js'
import { pythonReport } from '../test-support.js'

const KEY = 'fuzz-key'
const ROUNDS = 150

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '💥'.repeat(60),
  '<script>alert(1)</script>',
  "'; drop table monlight_errors_group; --",
  '%_\\',
  '../../etc/passwd',
  'x'.repeat(300),
  '1e309',
  '-1',
  'NaN',
  '__proto__',
  'File "/a.py", line 1',
  'at x (y:1:2)',
]
const VALUES: unknown[] = [
  ...NASTY_STRINGS,
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER,
  [],
  [1, 'a'],
  {},
  { nested: { deep: [null] } },
  { __proto__: { polluted: true } },
]

/** Percent-encodes; a lone surrogate becomes the invalid UTF-8 bytes of one. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return '%ED%A0%80'
  }
}

describeDialects('errors fuzz: hostile input gets 4xx, never 5xx', (dialect) => {
  let database: TestDatabase
  let server: AdapterServer

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    const errors = createErrors({ database, apiKeys: [KEY] })
    await errors.migrate()
    await errors.service.ingest(pythonReport())
    server = await serveWithAdapter('node', errors.router)
  })
  afterAll(async () => {
    await server?.close()
    await database?.destroy()
  })

  /** Asserts no 5xx, except the 503 upstream answers for an unconfigured test alert. */
  const send = async (path: string, init: RequestInit = {}, allowed = 0) => {
    const res = await server.fetch(path, {
      ...init,
      headers: { 'x-api-key': KEY, ...(init.headers as object) },
    })
    const text = await res.text()
    expect(
      res.status,
      `${init.method ?? 'GET'} ${path} ${String(init.body).slice(0, 200)} → ${text.slice(0, 200)}`,
    ).toSatisfy((status: number) => status < 500 || status === allowed)
    return res
  }

  it('POST /api/errors with malformed and wrongly typed bodies', async () => {
    const pick = seededRandom(dialect.length)
    const any = () => VALUES[Math.floor(pick() * VALUES.length)]
    const bodies: (string | Uint8Array)[] = [
      '{',
      'null',
      '"string"',
      '[]',
      '{"project":}',
      '{"a":1}{"b":2}',
      new Uint8Array([0xff, 0xfe, 0x00, 0x7b]),
      JSON.stringify({ ...pythonReport(), project: 'p'.repeat(101) }),
      JSON.stringify({ ...pythonReport(), extra: JSON.parse('{"__proto__":{"polluted":1}}') }),
    ]
    for (let i = 0; i < ROUNDS; i++) {
      const report: Record<string, unknown> = { ...pythonReport() }
      for (const field of [
        'project',
        'exception_type',
        'message',
        'traceback',
        'request_url',
        'request_method',
        'request_headers',
        'user_id',
        'extra',
        'environment',
      ]) {
        if (pick() < 0.3) report[field] = any()
        else if (pick() < 0.1) delete report[field]
      }
      bodies.push(JSON.stringify(report))
    }
    const statuses = new Set<number>()
    for (const body of bodies) {
      const res = await send('/api/errors', {
        method: 'POST',
        body: body as BodyInit,
        headers: { 'content-type': 'application/json' },
      })
      statuses.add(res.status)
    }
    expect([...statuses].every((status) => [200, 201, 400, 413].includes(status))).toBe(true)
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('every GET and POST endpoint with hostile paths and query strings', async () => {
    const pick = seededRandom(7)
    const nasty = () => NASTY_STRINGS[Math.floor(pick() * NASTY_STRINGS.length)]!
    const params = [
      'project',
      'resolved',
      'source',
      'session_id',
      'since',
      'limit',
      'offset',
      'search',
      'environment',
      'api_key',
    ]
    for (let i = 0; i < ROUNDS; i++) {
      const query = params
        .filter(() => pick() < 0.4)
        .map((name) => `${name}=${encode(nasty())}`)
        .join('&')
      await send(`/api/errors?${query}`)
      await send(`/api/projects?${query}`)
      const id = encode(nasty())
      await send(`/api/errors/${id}`)
      await send(`/api/errors/${id}/resolve`, { method: 'POST' })
      await send(`/api/errors/${id}/unresolve`, { method: 'POST', body: nasty() })
    }
    for (const path of [
      '/api/errors?limit=99999999999999999999',
      '/api/errors?since=%ZZ',
      '/api/errors?%00=%00',
      `/api/errors?search=${'x'.repeat(5000)}`,
      '/api/errors/1/../../health',
      '/errors/abc',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      await send(path)
    }
    await send('/api/test-alert', { method: 'POST', body: '{"x":1}' }, 503)
    await send('/api/errors', { method: 'PUT', body: '{}' })
    await send('/api/errors/1', { method: 'DELETE' })
  })
})
