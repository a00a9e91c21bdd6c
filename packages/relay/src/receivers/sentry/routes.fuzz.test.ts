import { connect } from 'node:net'
import { brotliCompressSync as brotli, constants, deflateSync, gzipSync } from 'node:zlib'
import {
  type ErrorIngest,
  type ErrorReport,
  type LogEntry,
  type LogsIngest,
  type MetricPoint,
  type MetricsIngest,
  MonlightError,
  normalizeErrorEvent,
} from '@monlight/core'
import { createErrors } from '@monlight/errors'
import { createLogs } from '@monlight/logs'
import { createMetrics } from '@monlight/metrics'
import {
  type AdapterServer,
  createTestDatabase,
  describeDialects,
  seededRandom,
  serveWithAdapter,
  type TestDatabase,
} from '@monlight/test-utils'
import { createAttachmentEnvelopeItem, createEnvelope, serializeEnvelope } from '@sentry/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, type TestRelay } from '../../__fixtures__/harness.js'
import type { DsnKey } from '../../service/service.js'

// MONLIGHT_FUZZ_SEED / MONLIGHT_FUZZ_ROUNDS replay or widen a run.
const ROUNDS = Number(process.env.MONLIGHT_FUZZ_ROUNDS ?? 300)
const SEED = Number(process.env.MONLIGHT_FUZZ_SEED ?? 17)
const MAX_ITEM_BYTES = 512 * 1024
const MAX_BODY_BYTES = 2 * 1024 * 1024

const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '💥'.repeat(80),
  '<script>alert(1)</script>',
  "'; drop table monlight_relay_dsn_keys; --",
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(300),
  'é'.repeat(120),
  'https://*.example.com',
  '%E0%A4%A',
  '\r\n\r\n',
  '{"type":"event"}',
]
const NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53, 1e308, -1e308, 1767225600.5, 4102444800, 253402300800]
const TIMES: unknown[] = [
  1767225600.5,
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00',
  '2026-01-01T00:00:00+14:00',
  '9999-12-31T23:59:59Z',
  '1e400',
  '1e300',
  1e300,
  4102444800,
  -5,
  0,
  'yesterday',
  null,
  [],
]
const LEVELS = [
  'fatal',
  'error',
  'warning',
  'warn',
  'info',
  'debug',
  'trace',
  'ERROR',
  'constructor',
  '__proto__',
  7,
]

/** Nested arrays (or objects) `depth` levels deep, as JSON text: JSON.parse takes it, recursion may not. */
/** Brotli at a low quality: the default (11) takes seconds per megabyte, and idle keep-alive sockets time out. */
const brotliCompressSync = (body: Buffer) => brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })

const deepJson = (depth: number, object = false) =>
  object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`

describeDialects('sentry routes fuzz: hostile requests get 4xx, the stores well-formed data', (dialect) => {
  let database: TestDatabase
  let harness: TestRelay
  let server: AdapterServer
  let key: DsnKey
  let other: DsnKey
  // What reached each store, and what a store refused (which a mapped item should never be).
  const reports: ErrorReport[] = []
  const points: MetricPoint[] = []
  const logs: LogEntry[] = []
  const refusals: string[] = []
  const injected = { armed: false, hit: false }

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    const errors = createErrors({ database, apiKeys: [ADMIN_KEY] })
    const metrics = createMetrics({ database, apiKeys: [ADMIN_KEY] })
    const logStore = createLogs({ database, apiKeys: [ADMIN_KEY] })
    for (const module of [errors, metrics, logStore]) await module.migrate()
    const refused = (store: string, error: unknown) => {
      refusals.push(
        `${store}: ${error instanceof Error ? `${error.message} ${error.stack?.split('\n')[1]}` : String(error)}`,
      )
      return error
    }
    const errorsIngest: ErrorIngest = {
      async ingest(report) {
        if (injected.armed) {
          injected.hit = true
          throw new MonlightError('SERVICE_UNAVAILABLE', 'injected: the errors store is down')
        }
        reports.push(report)
        return errors.service.ingest(report).catch((error) => Promise.reject(refused('errors', error)))
      },
    }
    const metricsIngest: MetricsIngest = {
      async ingest(batch) {
        points.push(...batch)
        return metrics.service.ingest(batch).catch((error) => Promise.reject(refused('metrics', error)))
      },
    }
    const logsIngest: LogsIngest = {
      async write(entries) {
        logs.push(...entries)
        return logStore.service.write(entries).catch((error) => Promise.reject(refused('logs', error)))
      },
    }
    harness = await createTestRelay(
      {
        rateLimit: false,
        corsOrigins: [],
        forward: { errors: errorsIngest, metrics: metricsIngest, logs: logsIngest },
        sentry: {
          maxItemBytes: MAX_ITEM_BYTES,
          maxDecodedBytes: 4 * 1024 * 1024,
          maxBodyBytes: MAX_BODY_BYTES,
        },
      },
      database,
    )
    key = await harness.relay.service.createKey({ project: 'fuzz' })
    other = await harness.relay.service.createKey({
      project: 'other',
      allowed_origins: ['https://a.example'],
    })
    server = await serveWithAdapter('node', harness.relay.router)
  })
  afterAll(async () => {
    await server?.close()
    await database?.destroy()
  })

  const dsn = (of: DsnKey = key) => `http://${of.public_key}@relay.test/${of.project_id}`

  /** Everything handed to a store since `from` is what the stores expect. */
  const checkForwarded = (from: { reports: number; points: number; logs: number }, context: string) => {
    for (const report of reports.slice(from.reports)) {
      expect(JSON.stringify(report), context).toBeTypeOf('string')
      for (const field of ['project', 'exception_type', 'message', 'traceback'] as const) {
        expect(report[field], `${context}: ${field}`).toBeTypeOf('string')
      }
      expect(Buffer.byteLength(report.exception_type), context).toBeLessThanOrEqual(200)
      if (report.environment !== undefined)
        expect(Buffer.byteLength(report.environment)).toBeLessThanOrEqual(100)
      normalizeErrorEvent(report.event)
    }
    for (const point of points.slice(from.points)) {
      expect(point.name.length, context).toBeGreaterThan(0)
      expect(Number.isFinite(point.value), `${context}: ${point.name} ${point.value}`).toBe(true)
      expect(Number.isFinite(point.timestamp ?? 0), context).toBe(true)
      for (const value of Object.values(point.labels ?? {}))
        expect(String(value).length).toBeLessThanOrEqual(500)
    }
    for (const entry of logs.slice(from.logs)) {
      expect(entry.message, context).toBeTypeOf('string')
      expect(JSON.stringify(entry), context).toBeTypeOf('string')
      expect(Number.isFinite(Number(entry.timestamp)), context).toBe(true)
    }
  }

  it('answers random, mutated, nested and encoded requests below 500 and forwards only well-formed data', async () => {
    const next = seededRandom(dialect.length * 104_729 + SEED)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
    const chance = (p: number) => next() < p

    const value = (depth = 0): unknown => {
      const roll = next()
      if (depth > 3 || roll < 0.35) return pick(STRINGS)
      if (roll < 0.55) return pick(NUMBERS)
      if (roll < 0.6) return pick([null, true, false])
      if (roll < 0.8) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1))
      const object: Record<string, unknown> = {}
      for (let i = Math.floor(next() * 4); i > 0; i--) object[pick(STRINGS) || 'k'] = value(depth + 1)
      return object
    }
    const maybe = (shaped: () => unknown) => (chance(0.75) ? shaped() : value())
    const frame = () => ({
      filename: maybe(() => pick(['app.js', '/srv/a.py', 'https://x.test/app.min.js', '<anonymous>'])),
      abs_path: maybe(() => pick(STRINGS)),
      function: maybe(() => pick(['main', 'onClick', '?', '__proto__', ''])),
      lineno: maybe(() => pick(NUMBERS)),
      colno: maybe(() => pick(NUMBERS)),
      in_app: maybe(() => chance(0.5)),
      context_line: maybe(() => pick(STRINGS)),
      pre_context: maybe(() => [pick(STRINGS), value()]),
      vars: maybe(() => ({ a: value(), b: value() })),
    })
    const event = (): Record<string, unknown> => ({
      event_id: maybe(() => pick(['c0ffee00c0ffee00c0ffee00c0ffee00', 'not-hex', ''])),
      timestamp: pick(TIMES),
      level: pick(LEVELS),
      platform: maybe(() => pick(['javascript', 'node', 'python', 'go', 'java'])),
      release: maybe(() => pick(STRINGS)),
      environment: maybe(() => pick(STRINGS)),
      message: maybe(() => pick([pick(STRINGS), { formatted: pick(STRINGS) }, { message: value() }])),
      logentry: maybe(() => ({ message: pick(STRINGS), params: [value()], formatted: value() })),
      exception: maybe(() => {
        const values = Array.from({ length: Math.floor(next() * 3) }, () => ({
          type: maybe(() => pick(STRINGS)),
          value: maybe(() => pick(STRINGS)),
          mechanism: maybe(() => ({ type: pick(STRINGS), handled: value() })),
          stacktrace: maybe(() => ({ frames: Array.from({ length: Math.floor(next() * 5) }, frame) })),
        }))
        return chance(0.3) ? values : { values }
      }),
      threads: maybe(() => {
        const values = [
          { id: 1, current: true, crashed: chance(0.5), stacktrace: { frames: [frame(), frame()] } },
        ]
        return chance(0.5) ? values : { values }
      }),
      breadcrumbs: maybe(() => {
        const crumb = () => ({
          timestamp: pick(TIMES),
          message: pick(STRINGS),
          category: value(),
          data: value(),
        })
        // A huge list (kept under the item limit, so it is read): the error tracker keeps the newest 100.
        const list = chance(0.05)
          ? Array.from({ length: 10_000 }, (_, i) => ({ timestamp: 1767225600 + i, message: `crumb ${i}` }))
          : Array.from({ length: Math.floor(next() * 5) }, crumb)
        return chance(0.5) ? list : { values: list }
      }),
      tags: maybe(() =>
        chance(0.5) ? { [pick(STRINGS)]: value(), region: 'eu' } : [[pick(STRINGS), value()], value()],
      ),
      contexts: maybe(() => ({ browser: { name: value(), version: value() }, [pick(STRINGS)]: value() })),
      user: maybe(() => ({ id: pick([...STRINGS, ...NUMBERS]), email: value(), ip_address: value() })),
      request: maybe(() => ({
        url: value(),
        method: maybe(() => pick(['GET', 'post', 'x'.repeat(40)])),
        headers: chance(0.5) ? { [pick(STRINGS)]: value() } : [[pick(STRINGS), value()]],
        query_string: maybe(() => pick([pick(STRINGS), [['a', value()]], { b: value() }])),
        data: value(),
      })),
      extra: maybe(() => ({ [pick(STRINGS)]: value() })),
      fingerprint: maybe(() => [value(), '{{ default }}']),
      sdk: maybe(() => ({ name: value(), version: value() })),
    })
    const items: (() => [Record<string, unknown>, unknown])[] = [
      () => [{ type: 'event' }, event()],
      () => [{ type: 'event' }, event()],
      () => [
        { type: 'transaction' },
        {
          ...event(),
          type: 'transaction',
          transaction: maybe(() => pick(['GET /a', 'POST', pick(STRINGS)])),
          start_timestamp: pick(TIMES),
          contexts: maybe(() => ({
            trace: {
              op: pick(['http.server', 'task', value()]),
              status: value(),
              data: { 'http.response.status_code': value() },
            },
          })),
        },
      ],
      () => [
        { type: 'session' },
        {
          sid: value(),
          did: value(),
          init: value(),
          status: pick(['ok', 'crashed', 'exited', 'abnormal', 'errored', '__proto__', 3]),
          timestamp: pick(TIMES),
          attrs: maybe(() => ({ release: value(), environment: value() })),
        },
      ],
      () => [
        { type: 'sessions' },
        {
          attrs: { release: value(), environment: value() },
          aggregates: [
            {
              started: pick(TIMES),
              exited: pick(NUMBERS),
              errored: value(),
              crashed: pick(NUMBERS),
              abnormal: pick(NUMBERS),
            },
            value(),
          ],
        },
      ],
      () => [
        { type: 'client_report' },
        { discarded_events: [{ reason: value(), category: value(), quantity: pick(NUMBERS) }, value()] },
      ],
      () => [
        { type: 'log', item_count: 2, content_type: 'application/vnd.sentry.items.log+json' },
        {
          items: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
            timestamp: pick(TIMES),
            level: pick(LEVELS),
            body: maybe(() => pick(STRINGS)),
            trace_id: value(),
            severity_number: value(),
            attributes: maybe(() => ({
              [pick(STRINGS)]: { value: value(), type: 'string' },
              'service.name': { value: value() },
            })),
          })),
        },
      ],
      () => [
        { type: 'check_in' },
        {
          check_in_id: value(),
          monitor_slug: maybe(() => pick(STRINGS)),
          status: maybe(() => pick(['ok', 'error', 'in_progress', ''])),
          duration: value(),
          environment: value(),
          extra: value(),
        },
      ],
      () => [
        { type: 'span' },
        {
          items: [
            {
              name: value(),
              start_timestamp: pick(TIMES),
              end_timestamp: pick(TIMES),
              is_segment: value(),
              attributes: value(),
            },
          ],
        },
      ],
      () =>
        createAttachmentEnvelopeItem({
          data: new Uint8Array(Array.from({ length: 64 }, () => Math.floor(next() * 256))),
          filename: 'a.bin',
        }) as never,
      () => [
        { type: pick(['foo_bar', 'profile', 'replay_event', 'user_report', 'feedback', 'statsd']) },
        value(),
      ],
    ]

    const validEnvelope = (header: Record<string, unknown>): Buffer => {
      const chosen = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(items)())
      return Buffer.from(serializeEnvelope(createEnvelope(header as never, chosen as never)))
    }
    const mutate = (body: Buffer): Buffer => {
      const bytes = Buffer.from(body)
      switch (Math.floor(next() * 6)) {
        case 0:
          return bytes.subarray(0, Math.floor(next() * bytes.length))
        case 1:
          for (let i = 0; i < 1 + next() * 8; i++)
            bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256)
          return bytes
        case 2: {
          const at = Math.floor(next() * bytes.length)
          return Buffer.concat([
            bytes.subarray(0, at),
            Buffer.from(pick(['\n', '\r\n', '\u0000', '\xff\xfe', '{"type":"event","length":99999}\n'])),
            bytes.subarray(at),
          ])
        }
        case 3:
          // A lying item length.
          return Buffer.from(
            bytes
              .toString('latin1')
              .replace(/"length":(\d+)/, (_, n) => `"length":${Number(n) + pick([-3, -1, 1, 7, 1e6])}`),
            'latin1',
          )
        case 4:
          return Buffer.from(bytes.toString('latin1').replaceAll('\n', pick(['', '\r\n', '\n\n'])), 'latin1')
        default:
          return Buffer.concat([bytes, bytes.subarray(Math.floor(next() * bytes.length))])
      }
    }
    const deepEnvelope = (header: Record<string, unknown>): Buffer => {
      const depth = pick([10_000, 10_000, 200_000])
      const payload = pick([
        () => `{"message":"deep","extra":${deepJson(depth)}}`,
        () =>
          `{"message":"deep","contexts":{"a":${deepJson(depth, true)}},"breadcrumbs":[{"data":${deepJson(depth)}}]}`,
        () =>
          `{"exception":{"values":[{"type":"T","stacktrace":{"frames":[{"vars":${deepJson(depth, true)}}]}}]},"request":{"headers":{"a":${deepJson(depth)}}}}`,
        () => deepJson(depth),
      ])()
      const type = pick(['event', 'event', 'log', 'check_in', 'transaction', 'sessions'])
      const body =
        type === 'log'
          ? `{"items":[{"level":"info","body":${deepJson(depth)},"attributes":{"a":${deepJson(depth, true)}}}]}`
          : type === 'check_in'
            ? `{"monitor_slug":"m","status":"ok","extra":${deepJson(depth)}}`
            : type === 'event'
              ? payload
              : `{"attrs":${deepJson(depth, true)},"aggregates":${deepJson(depth)},"contexts":${deepJson(depth, true)},"start_timestamp":1,"timestamp":2}`
      const itemHeader = chance(0.2) ? `{"type":"event","length":${deepJson(depth)}}` : `{"type":"${type}"}`
      return Buffer.from(`${JSON.stringify(header)}\n${itemHeader}\n${body}\n`)
    }
    const envelopeBody = (header: Record<string, unknown>): Buffer => {
      const roll = next()
      if (roll < 0.1)
        return Buffer.from(Array.from({ length: Math.floor(next() * 2000) }, () => Math.floor(next() * 256)))
      if (roll < 0.2) return deepEnvelope(header)
      if (roll < 0.25) {
        // Over the item limit; and envelopes of many items.
        return chance(0.5)
          ? Buffer.from(
              `${JSON.stringify(header)}\n{"type":"event"}\n{"message":"${'x'.repeat(MAX_ITEM_BYTES + 1)}"}`,
            )
          : Buffer.from(
              `${JSON.stringify(header)}\n${'{"type":"client_report"}\n{"discarded_events":[]}\n'.repeat(1500)}`,
            )
      }
      if (roll < 0.32) {
        // Invalid UTF-8 inside strings and headers.
        return Buffer.concat([
          Buffer.from(`${JSON.stringify(header)}\n{"type":"event"}\n{"message":"`),
          Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]),
          Buffer.from('","tags":{"'),
          Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
          Buffer.from('":"v"}}\n{"type":"'),
          Buffer.from([0xc3]),
          Buffer.from('"}\n{}'),
        ])
      }
      const valid = validEnvelope(header)
      return roll < 0.6 ? valid : mutate(valid)
    }
    const encode = (body: Buffer, headers: Record<string, string>): Buffer => {
      const roll = next()
      if (roll < 0.55) return body
      const [encoding, encoded] = pick<[string, () => Buffer]>([
        ['gzip', () => gzipSync(body)],
        ['GZIP', () => gzipSync(body)],
        ['deflate', () => deflateSync(body)],
        ['br', () => brotliCompressSync(body)],
        ['gzip', () => body],
        ['gzip', () => gzipSync(body).subarray(0, 20)],
        ['zstd', () => body],
        ['gzip, br', () => brotliCompressSync(gzipSync(body))],
        ['identity', () => body],
        ['', () => body],
      ])
      headers['content-encoding'] = encoding
      return encoded()
    }

    let served = 0
    for (let round = 0; round < ROUNDS; round++) {
      const endpoint = pick(['envelope', 'envelope', 'envelope', 'store', 'tunnel'] as const)
      const headers: Record<string, string> = {}
      const envelopeHeader: Record<string, unknown> = {
        event_id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        sent_at: '2026-01-01T00:00:00Z',
      }
      let query = ''
      const auth = pick(['query', 'header', 'authorization', 'dsn', 'none', 'garbage', 'conflict', 'nul'])
      if (auth === 'query') query = `?sentry_key=${key.public_key}&sentry_version=7`
      if (auth === 'header')
        headers['x-sentry-auth'] = `Sentry sentry_key=${key.public_key}, sentry_version=7`
      if (auth === 'authorization') headers.authorization = `DSN ${dsn()}`
      if (auth === 'dsn' || endpoint === 'tunnel')
        envelopeHeader.dsn = chance(0.9)
          ? dsn()
          : pick([dsn(other), 'http://%E0%A4%A@x/1', 'http://%00@x/1', 'nope', 'http://k@x/abc'])
      if (auth === 'garbage') headers['x-sentry-auth'] = pick(STRINGS).replace(/[^\x20-\x7e]/g, '?')
      if (auth === 'conflict') {
        query = `?sentry_key=${key.public_key}`
        headers['x-sentry-auth'] = `Sentry sentry_key=${other.public_key}`
      }
      if (auth === 'nul') query = `?sentry_key=${pick(['%00', '%E0%A4%A', '%ED%A0%80', 'k'.repeat(100)])}`
      if (chance(0.3))
        headers['content-type'] = pick([
          'application/x-sentry-envelope',
          'text/plain;charset=UTF-8',
          'application/json',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          '\u00ff'.replace(/[^\x20-\x7e]/g, '?'),
        ])
      if (chance(0.2))
        headers.origin = pick(['https://a.example', 'https://evil.example', 'null', 'http://localhost:3000'])
      const projectId = chance(0.9)
        ? String(key.project_id)
        : pick([String(other.project_id), 'abc', '0', '9'.repeat(20), '%E0%A4%A'])
      let path: string
      let raw: Buffer
      if (endpoint === 'store') {
        path = `/api/${projectId}/store/${query}`
        const event = chance(0.15)
          ? `{"extra":${deepJson(50_000)},"message":"deep"}`
          : JSON.stringify(pick(items.slice(0, 2))()[1])
        const roll = next()
        raw =
          roll < 0.6
            ? Buffer.from(event)
            : roll < 0.75
              ? Buffer.from(deflateSync(Buffer.from(event)).toString('base64'))
              : mutate(Buffer.from(event))
      } else {
        path = endpoint === 'tunnel' ? `/tunnel${query}` : `/api/${projectId}/envelope/${query}`
        raw = envelopeBody(envelopeHeader)
      }
      const body = encode(raw, headers)
      injected.armed = chance(0.05)
      injected.hit = false
      const from = { reports: reports.length, points: points.length, logs: logs.length }
      let response: Response
      try {
        response = await server.fetch(path, { method: 'POST', headers, body })
      } catch (error) {
        // Over the body limit the server answers 413 before reading and closes: the upload may see a reset.
        if (body.length > MAX_BODY_BYTES) continue
        throw new Error(
          `round ${round}: ${path} ${JSON.stringify(headers)} ${raw.toString('latin1').slice(0, 300)}`,
          {
            cause: error,
          },
        )
      }
      const text = await response.text()
      injected.armed = false
      const context = `round ${round}: ${endpoint} ${path.slice(0, 80)} ${JSON.stringify(headers)} ${raw.toString('latin1').slice(0, 200)} → ${response.status} ${text.slice(0, 300)} ${refusals.join('; ').slice(0, 1000)}`
      // A store's refusal of what the relay mapped is a mapping bug, whatever the answer.
      expect(refusals, context).toEqual([])
      if (injected.hit) {
        // The deliberate backend failure: not acknowledged, so the SDK may send it again.
        expect(response.status, context).toBe(502)
        continue
      }
      expect(response.status, context).toBeLessThan(500)
      if (response.status === 200) {
        served++
        expect(JSON.parse(text), context).toHaveProperty('id')
        expect(response.headers.get('x-sentry-rate-limits'), context).toContain('attachment')
        checkForwarded(from, context)
      }
    }
    // The generator must reach the stores, or the test proves nothing.
    expect(served).toBeGreaterThan(ROUNDS / 5)
    expect(reports.length).toBeGreaterThan(20)
    expect(points.length).toBeGreaterThan(5)
    expect(logs.length).toBeGreaterThan(5)
  })

  it('survives lying lengths and broken framing on the socket, and keeps serving', async () => {
    const { port } = new URL(server.baseUrl)
    const envelope = `{"dsn":"${dsn()}"}\n{"type":"event"}\n{"message":"socket"}\n`
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1')
        let answer = ''
        socket.on('data', (chunk) => {
          answer += chunk.toString('latin1')
        })
        socket.on('error', () => resolve(answer))
        socket.on('close', () => resolve(answer))
        socket.write(request, () => socket.end())
        setTimeout(() => socket.destroy(), 2_000).unref()
      })
    const request = (headers: string, body: string) =>
      `POST /mnt/api/${key.project_id}/envelope/?sentry_key=${key.public_key} HTTP/1.1\r\nHost: relay.test\r\n${headers}\r\n${body}`
    const cases = [
      request(`Content-Length: ${envelope.length + 50}\r\n`, envelope),
      request(`Content-Length: 10\r\n`, envelope),
      request('Content-Length: abc\r\n', envelope),
      request('Content-Length: -5\r\n', envelope),
      request(`Content-Length: ${envelope.length}\r\nTransfer-Encoding: chunked\r\n`, envelope),
      request('Transfer-Encoding: chunked\r\n', `5\r\n{"dsn\r\nzz\r\n`),
      request('Transfer-Encoding: chunked\r\n', `${(envelope.length + 100).toString(16)}\r\n${envelope}`),
      request(`Content-Length: ${envelope.length}\r\nContent-Encoding: gzip\r\n`, envelope),
    ]
    for (const text of cases) {
      const answer = await raw(text)
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
      // No answer at all is fine when the client hung up before its body was complete.
      expect(status, `${text.slice(0, 200)} → ${answer.slice(0, 300)}`).toBeLessThan(500)
    }
    const alive = await server.fetch(`/api/${key.project_id}/envelope/?sentry_key=${key.public_key}`, {
      method: 'POST',
      body: envelope,
    })
    expect(alive.status).toBe(200)
  })
})
