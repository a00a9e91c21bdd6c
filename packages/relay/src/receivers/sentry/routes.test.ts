import { brotliCompressSync, createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { type ErrorIngest, type LogEntry, type LogsIngest, MonlightError } from '@monlight/core'
import {
  type AdapterServer,
  describeAdapters,
  recordingErrors,
  recordingMetrics,
  serveWithAdapter,
} from '@monlight/test-utils'
import {
  createAttachmentEnvelopeItem,
  createCheckInEnvelope,
  createClientReportEnvelope,
  createEnvelope,
  createEventEnvelope,
  createSessionEnvelope,
  makeDsn,
  makeSession,
  serializeEnvelope,
  updateSession,
} from '@sentry/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, DSN_KEY, lazyApp, type TestRelay } from '../../__fixtures__/harness.js'
import type { DsnKey } from '../../service/service.js'

const EVENT_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00'
const MAX_ITEM_BYTES = 64 * 1024
const MAX_DECODED_BYTES = 2 * 1024 * 1024
const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }

/** A Node event as @sentry/node 11 writes it: a cause chain with frames, request, user, breadcrumbs, tags. */
function nodeEvent(overrides: Record<string, unknown> = {}) {
  return {
    event_id: EVENT_ID,
    timestamp: 1767225600.25,
    platform: 'node',
    level: 'error',
    release: 'shop@1.4.2',
    environment: 'staging',
    server_name: 'web-1',
    transaction: 'POST /checkout',
    exception: {
      values: [
        {
          type: 'Error',
          value: 'connection reset',
          stacktrace: { frames: [{ filename: 'node:net', function: 'onread', lineno: 10, colno: 5 }] },
        },
        {
          type: 'TypeError',
          value: 'Cannot charge order 1234',
          mechanism: { type: 'onunhandledrejection', handled: false },
          stacktrace: {
            frames: [
              {
                filename: '/app/node_modules/express/lib/router.js',
                abs_path: '/app/node_modules/express/lib/router.js',
                function: 'handle',
                lineno: 280,
                colno: 10,
                in_app: false,
              },
              {
                filename: '/app/src/pay.js',
                abs_path: '/app/src/pay.js',
                function: 'chargeCard',
                lineno: 42,
                colno: 11,
                in_app: true,
                context_line: '  throw new TypeError(message)',
                pre_context: ['function chargeCard(order) {'],
                post_context: ['}'],
              },
            ],
          },
        },
      ],
    },
    request: {
      url: 'https://shop.example.com/checkout?step=2',
      method: 'POST',
      headers: { 'User-Agent': 'curl/8.5' },
      query_string: [['step', '2']],
    },
    user: { id: 'user-42', email: 'ada@example.com' },
    breadcrumbs: [
      { timestamp: 1767225599.5, category: 'cart', message: 'added item sku-991', level: 'info' },
    ],
    tags: { region: 'eu-west' },
    contexts: { runtime: { name: 'node', version: 'v20.11.0' }, os: { name: 'Linux' } },
    extra: { order: 1234 },
    sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
    ...overrides,
  }
}

const TRACEBACK = [
  'TypeError: Cannot charge order 1234',
  '    at chargeCard (/app/src/pay.js:42:11)',
  '    at handle (/app/node_modules/express/lib/router.js:280:10)',
  'Caused by: Error: connection reset',
  '    at onread (node:net:10:5)',
].join('\n')

type Item = [Record<string, unknown>, unknown]
/** An envelope framed by @sentry/core, as every JS SDK sends it. */
const envelopeOf = (header: Record<string, unknown>, ...items: Item[]): string | Uint8Array =>
  serializeEnvelope(createEnvelope(header as never, items as never))
const eventEnvelope = (event: Record<string, unknown> = nodeEvent(), header: Record<string, unknown> = {}) =>
  envelopeOf({ event_id: event.event_id, sent_at: new Date().toISOString(), ...header }, [
    { type: 'event' },
    event,
  ])
const bytesOf = (body: string | Uint8Array) =>
  typeof body === 'string' ? Buffer.from(body) : Buffer.from(body)

/** The recorders and a logs sink the relay forwards into. */
function recorders() {
  const logs: LogEntry[] = []
  const sink: LogsIngest = {
    write: async (entries) => {
      logs.push(...entries)
      return { count: entries.length }
    },
  }
  return { errors: recordingErrors(), metrics: recordingMetrics(), logs, sink }
}

const main = recorders()
let harness: TestRelay
let shop: DsnKey
let webProjectId: number
const ready = createTestRelay({
  forward: { errors: main.errors, metrics: main.metrics, logs: main.sink },
  sentry: { maxItemBytes: MAX_ITEM_BYTES, maxDecodedBytes: MAX_DECODED_BYTES },
}).then(async (created) => {
  harness = created
  shop = await created.relay.service.createKey({ project: 'shop' })
  webProjectId = (await created.relay.service.listKeys()).find(
    (key) => key.public_key === DSN_KEY,
  )!.project_id
  return created.relay
})

/** 200 MB of zeros, gzipped (about 200 KB on the wire). */
let bomb: Buffer
beforeAll(async () => {
  const gzip = createGzip()
  const chunks: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise((resolve) => gzip.on('end', resolve))
  const zeros = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < 200; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r))
  gzip.end()
  await done
  bomb = Buffer.concat(chunks)
})

describeAdapters(
  'sentry routes',
  () => lazyApp(ready),
  (target) => {
    beforeEach(async () => {
      await ready
      main.errors.reports.length = 0
      main.metrics.points.length = 0
      main.logs.length = 0
    })

    const send = (path: string, body: BodyInit | Uint8Array, headers: Record<string, string> = {}) =>
      target.fetch(path, { method: 'POST', headers, body: body as BodyInit })
    const envelopePath = (key = shop.public_key, projectId = shop.project_id) =>
      `/api/${projectId}/envelope/?sentry_key=${key}&sentry_version=7&sentry_client=sentry.javascript.node%2F11.12.0`
    const shopDsn = () => `http://${shop.public_key}@relay.test/${shop.project_id}`
    /** Status and body of a refusal, which is always `{detail, code}`. */
    const refusal = async (response: Response) => {
      const body = await response.json()
      expect(body).toEqual({ detail: expect.any(String), code: expect.any(String), ...body })
      expect(
        Object.keys(body)
          .filter((field) => field !== 'limit')
          .sort(),
      ).toEqual(['code', 'detail'])
      return [response.status, body.code, body.detail]
    }
    /** What every 200 answers: the id, and rate limits that tell SDKs to stop sending what is dropped. */
    const accepted = async (response: Response) => {
      const text = await response.text()
      expect(response.status, text).toBe(200)
      const limits = response.headers.get('x-sentry-rate-limits')
      expect(limits).toContain('attachment')
      // An empty category list means every category: that would silence the SDK entirely.
      expect(limits).not.toMatch(/^\d+::/)
      return JSON.parse(text) as { id: string | null; skipped?: string[] }
    }

    describe('authentication', () => {
      it('accepts the key as ?sentry_key= (what the JS SDKs send)', async () => {
        expect(await accepted(await send(envelopePath(), eventEnvelope()))).toEqual({ id: EVENT_ID })
        expect(main.errors.reports).toHaveLength(1)
        expect(main.errors.reports[0]!.project).toBe('shop')
      })

      it('accepts X-Sentry-Auth (Python, Go, Java...) and Authorization: Sentry', async () => {
        const auth = `Sentry sentry_key=${shop.public_key}, sentry_version=7, sentry_client=sentry.python/2.19.0`
        const path = `/api/${shop.project_id}/envelope/`
        expect(await accepted(await send(path, eventEnvelope(), { 'x-sentry-auth': auth }))).toEqual({
          id: EVENT_ID,
        })
        // Without the "Sentry " scheme, and without the trailing slash.
        const bare = `sentry_version=7,sentry_key=${shop.public_key}`
        await accepted(
          await send(`/api/${shop.project_id}/envelope`, eventEnvelope(), { 'x-sentry-auth': bare }),
        )
        await accepted(await send(path, eventEnvelope(), { authorization: auth }))
        expect(main.errors.reports.map((report) => report.project)).toEqual(['shop', 'shop', 'shop'])
      })

      it('accepts Authorization: DSN <dsn>', async () => {
        const response = await send(`/api/${shop.project_id}/envelope/`, eventEnvelope(), {
          authorization: `DSN ${shopDsn()}`,
        })
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports).toHaveLength(1)
      })

      it('accepts the envelope header dsn alone (tunnel: true, Relay ≥ 21.6)', async () => {
        const body = eventEnvelope(nodeEvent(), { dsn: shopDsn() })
        expect(await accepted(await send(`/api/${shop.project_id}/envelope/`, body))).toEqual({
          id: EVENT_ID,
        })
        expect(main.errors.reports[0]!.project).toBe('shop')
      })

      it('accepts several forms that agree, and refuses forms that disagree naming both', async () => {
        const agree = await send(envelopePath(), eventEnvelope(nodeEvent(), { dsn: shopDsn() }), {
          'x-sentry-auth': `Sentry sentry_key=${shop.public_key}`,
        })
        await accepted(agree)
        const disagree = await send(envelopePath(), eventEnvelope(), {
          'x-sentry-auth': `Sentry sentry_key=${DSN_KEY}`,
        })
        const [status, code, detail] = await refusal(disagree)
        expect([status, code]).toEqual([403, 'FORBIDDEN'])
        expect(detail).toContain('the sentry_key query parameter')
        expect(detail).toContain('the X-Sentry-Auth header')
        expect(detail).toContain(shop.public_key)
        expect(detail).toContain(DSN_KEY)
        const header = await send(
          envelopePath(),
          eventEnvelope(nodeEvent(), { dsn: `http://${DSN_KEY}@relay.test/${shop.project_id}` }),
        )
        expect(await refusal(header)).toEqual([
          403,
          'FORBIDDEN',
          expect.stringContaining('envelope header dsn'),
        ])
        expect(main.errors.reports).toHaveLength(1)
      })

      it('refuses a request without a key (401) and an unknown key (401 naming the fix)', async () => {
        const none = await send(`/api/${shop.project_id}/envelope/`, eventEnvelope())
        expect(await refusal(none)).toEqual([
          401,
          'UNAUTHORIZED',
          expect.stringContaining('No project key: send the DSN key as sentry_key'),
        ])
        const unknown = await send(envelopePath('0123456789abcdef0123456789abcdef'), eventEnvelope())
        expect(await refusal(unknown)).toEqual([
          401,
          'UNAUTHORIZED',
          expect.stringMatching(/^Unknown DSN key 0123456789abcdef0123456789abcdef: create one with/),
        ])
        expect(main.errors.reports).toEqual([])
      })

      it('refuses a deactivated key with 403 "disabled"', async () => {
        const key = await harness.relay.service.createKey({ project: 'retired' })
        await accepted(await send(envelopePath(key.public_key, key.project_id), eventEnvelope()))
        const removed = await target.fetch(`/api/dsn-keys/${key.id}`, { method: 'DELETE', headers: admin })
        expect(removed.status).toBe(200)
        const refused = await send(envelopePath(key.public_key, key.project_id), eventEnvelope())
        expect(await refusal(refused)).toEqual([403, 'FORBIDDEN', expect.stringContaining('is disabled')])
      })

      it('refuses a key of another project, naming the DSN suffix to use', async () => {
        expect(shop.project_id).not.toBe(webProjectId)
        const response = await send(envelopePath(shop.public_key, webProjectId), eventEnvelope())
        expect(await refusal(response)).toEqual([
          403,
          'FORBIDDEN',
          expect.stringContaining(`use the DSN that ends in /${shop.project_id}`),
        ])
      })

      it('refuses a project id that is not a number with 400', async () => {
        for (const id of ['abc', '0', '1.5', '-1', '9'.repeat(16)]) {
          const response = await send(`/api/${id}/envelope/?sentry_key=${shop.public_key}`, eventEnvelope())
          expect(await refusal(response), id).toEqual([
            400,
            'BAD_REQUEST',
            expect.stringContaining('the last part of a DSN is a number'),
          ])
        }
        expect(main.errors.reports).toEqual([])
      })
    })

    describe('request bodies', () => {
      it('reads every content type alike', async () => {
        for (const type of [
          'application/x-sentry-envelope',
          'text/plain;charset=UTF-8',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          undefined,
        ]) {
          const headers: Record<string, string> = type ? { 'content-type': type } : {}
          expect(await accepted(await send(envelopePath(), eventEnvelope(), headers)), type).toEqual({
            id: EVENT_ID,
          })
        }
        expect(main.errors.reports).toHaveLength(5)
        expect(new Set(main.errors.reports.map((report) => report.traceback))).toEqual(new Set([TRACEBACK]))
      })

      it('decodes gzip, x-gzip, deflate (zlib and raw) and br', async () => {
        const body = bytesOf(eventEnvelope())
        const encoded: [string, Buffer][] = [
          ['gzip', gzipSync(body)],
          ['x-gzip', gzipSync(body)],
          ['deflate', deflateSync(body)],
          ['deflate', deflateRawSync(body)],
          ['br', brotliCompressSync(body)],
        ]
        for (const [encoding, bytes] of encoded) {
          const response = await send(envelopePath(), bytes, { 'content-encoding': encoding })
          expect(await accepted(response), encoding).toEqual({ id: EVENT_ID })
        }
        expect(main.errors.reports).toHaveLength(encoded.length)
        for (const report of main.errors.reports) expect(report.traceback).toBe(TRACEBACK)
      })

      it('refuses a compression bomb with 413, broken gzip with 400 and zstd with 415', async () => {
        const bombed = await send(envelopePath(), bomb, { 'content-encoding': 'gzip' })
        expect(await refusal(bombed)).toEqual([
          413,
          'PAYLOAD_TOO_LARGE',
          `Decompressed request body exceeds maximum size of ${MAX_DECODED_BYTES} bytes`,
        ])
        const broken = await send(envelopePath(), Buffer.from('not gzip at all'), {
          'content-encoding': 'gzip',
        })
        expect(await refusal(broken)).toEqual([400, 'BAD_REQUEST', expect.stringContaining('not valid gzip')])
        const truncated = gzipSync(bytesOf(eventEnvelope())).subarray(0, 40)
        expect((await send(envelopePath(), truncated, { 'content-encoding': 'gzip' })).status).toBe(400)
        const zstd = await send(envelopePath(), bytesOf(eventEnvelope()), { 'content-encoding': 'zstd' })
        expect(await refusal(zstd)).toEqual([
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          expect.stringContaining("Content-Encoding 'zstd' is not supported"),
        ])
        expect(main.errors.reports).toEqual([])
      })

      it('reads a chunked body (no content-length)', async () => {
        const body = bytesOf(eventEnvelope())
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < body.length; at += 100) controller.enqueue(body.subarray(at, at + 100))
            controller.close()
          },
        })
        const response = await target.fetch(envelopePath(), {
          method: 'POST',
          body: stream,
          duplex: 'half',
        } as RequestInit)
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports[0]!.traceback).toBe(TRACEBACK)
      })

      it('refuses broken framing with 400 naming the item', async () => {
        const response = await send(envelopePath(), '{}\n{"type":"event","length":9999}\n{}')
        expect(await refusal(response)).toEqual([400, 'BAD_REQUEST', expect.stringContaining('Item 1')])
        expect((await send(envelopePath(), '')).status).toBe(400)
      })
    })

    describe('items', () => {
      it('forwards an event as an error report with its structure', async () => {
        const event = nodeEvent()
        expect(await accepted(await send(envelopePath(), eventEnvelope(event)))).toEqual({ id: EVENT_ID })
        expect(main.errors.reports).toHaveLength(1)
        const report = main.errors.reports[0]!
        expect(report).toMatchObject({
          project: 'shop',
          exception_type: 'TypeError',
          message: 'Cannot charge order 1234',
          traceback: TRACEBACK,
          environment: 'staging',
          request_url: 'https://shop.example.com/checkout?step=2',
          request_method: 'POST',
          request_headers: { 'User-Agent': 'curl/8.5' },
          user_id: 'user-42',
          extra: { order: 1234 },
        })
        expect(report.event).toMatchObject({
          event_id: EVENT_ID,
          level: 'error',
          platform: 'node',
          release: 'shop@1.4.2',
          server_name: 'web-1',
          transaction: 'POST /checkout',
          timestamp: 1767225600250,
          tags: { region: 'eu-west' },
          contexts: { runtime: { name: 'node', version: 'v20.11.0' }, os: { name: 'Linux' } },
          user: { id: 'user-42', email: 'ada@example.com' },
          request: {
            url: 'https://shop.example.com/checkout?step=2',
            method: 'POST',
            query_string: 'step=2',
          },
          breadcrumbs: [
            { timestamp: 1767225599500, category: 'cart', message: 'added item sku-991', level: 'info' },
          ],
          sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
        })
        const [cause, raised] = report.event!.exceptions!
        expect(cause).toMatchObject({
          type: 'Error',
          value: 'connection reset',
          frames: [{ function: 'onread' }],
        })
        expect(raised).toMatchObject({
          type: 'TypeError',
          value: 'Cannot charge order 1234',
          mechanism: { type: 'onunhandledrejection', handled: false },
        })
        expect(raised!.frames).toHaveLength(2)
        expect(raised!.frames[1]).toMatchObject({
          function: 'chargeCard',
          abs_path: '/app/src/pay.js',
          lineno: 42,
          colno: 11,
          in_app: true,
          context_line: '  throw new TypeError(message)',
          pre_context: ['function chargeCard(order) {'],
          post_context: ['}'],
        })
      })

      it('reads tags as a list of pairs and a message-only event', async () => {
        const event = {
          event_id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          level: 'warning',
          platform: 'python',
          logentry: {
            message: 'Inventory sync finished with %s warnings',
            params: [3],
            formatted: 'Inventory sync finished with 3 warnings',
          },
          tags: [
            ['region', 'eu-west'],
            ['shard', 7],
          ],
          timestamp: '2026-01-01T00:00:00.500Z',
        }
        expect(await accepted(await send(envelopePath(), eventEnvelope(event)))).toEqual({
          id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        })
        expect(main.errors.reports[0]).toMatchObject({
          exception_type: 'Message',
          message: 'Inventory sync finished with 3 warnings',
          traceback: 'Inventory sync finished with 3 warnings',
          event: {
            level: 'warning',
            tags: { region: 'eu-west', shard: '7' },
            timestamp: Date.parse('2026-01-01T00:00:00.500Z'),
          },
        })
      })

      it('forwards a log container to the log store', async () => {
        const body = envelopeOf({}, [
          { type: 'log', item_count: 3, content_type: 'application/vnd.sentry.items.log+json' },
          {
            items: [
              {
                timestamp: 1767225600.5,
                level: 'warn',
                body: 'payment gateway slow',
                trace_id: '0af7651916cd43dd8448eb211c80319c',
                severity_number: 13,
                attributes: {
                  gateway: { value: 'acme', type: 'string' },
                  'service.name': { value: 'checkout', type: 'string' },
                  attempts: { value: 3, type: 'integer' },
                },
              },
              { timestamp: 1767225601, level: 'fatal', body: 'out of memory' },
              { timestamp: 1767225602, level: 'trace', body: { structured: true } },
            ],
          },
        ])
        expect(await accepted(await send(envelopePath(), body))).toEqual({ id: null })
        expect(main.logs).toEqual([
          {
            message: 'payment gateway slow',
            container: 'checkout',
            timestamp: 1767225600500,
            stream: 'sentry',
            level: 'WARNING',
            attributes: {
              gateway: 'acme',
              'service.name': 'checkout',
              attempts: 3,
              trace_id: '0af7651916cd43dd8448eb211c80319c',
              severity_number: 13,
            },
          },
          {
            message: 'out of memory',
            container: 'shop',
            timestamp: 1767225601000,
            stream: 'sentry',
            level: 'CRITICAL',
            attributes: {},
          },
          {
            message: '{"structured":true}',
            container: 'shop',
            timestamp: 1767225602000,
            stream: 'sentry',
            level: 'DEBUG',
            attributes: {},
          },
        ])
      })

      it('counts sessions (session and sessions items)', async () => {
        const session = makeSession({ release: 'shop@1.4.2', environment: 'staging', did: 'user-42' })
        const started = serializeEnvelope(createSessionEnvelope(session))
        await accepted(await send(envelopePath(), started))
        updateSession(session, { status: 'crashed', init: false })
        await accepted(await send(envelopePath(), serializeEnvelope(createSessionEnvelope(session))))
        const aggregates = {
          attrs: { release: 'shop@1.4.2', environment: 'staging' },
          aggregates: [{ started: '2026-01-01T00:00:00Z', exited: 5, errored: 2, crashed: 1 }],
        }
        await accepted(
          await send(envelopePath(), serializeEnvelope(createSessionEnvelope(aggregates as never))),
        )
        const labels = { release: 'shop@1.4.2', environment: 'staging' }
        expect(main.metrics.points.map(({ name, value, labels }) => ({ name, value, labels }))).toEqual([
          { name: 'sentry_sessions_started_total', value: 1, labels },
          { name: 'sentry_sessions_total', value: 1, labels: { ...labels, status: 'crashed' } },
          { name: 'sentry_session_users_total', value: 1, labels: { ...labels, status: 'crashed' } },
          { name: 'sentry_sessions_total', value: 5, labels: { ...labels, status: 'exited' } },
          { name: 'sentry_sessions_total', value: 2, labels: { ...labels, status: 'errored' } },
          { name: 'sentry_sessions_total', value: 1, labels: { ...labels, status: 'crashed' } },
          { name: 'sentry_sessions_started_total', value: 8, labels },
        ])
        for (const point of main.metrics.points)
          expect(point).toMatchObject({ type: 'counter', project: 'shop' })
        expect(main.metrics.points.at(-1)!.timestamp).toBe(Date.parse('2026-01-01T00:00:00Z'))
      })

      it('counts client reports as discarded events', async () => {
        const body = serializeEnvelope(
          createClientReportEnvelope(
            [
              { reason: 'queue_overflow', category: 'error', quantity: 4 },
              { reason: 'sample_rate', category: 'transaction', quantity: 0 },
            ],
            undefined,
            1767225600,
          ),
        )
        await accepted(await send(envelopePath(), body))
        expect(main.metrics.points).toEqual([
          {
            name: 'sentry_client_discarded_events_total',
            type: 'counter',
            value: 4,
            labels: { reason: 'queue_overflow', category: 'error' },
            project: 'shop',
            timestamp: expect.any(Number),
          },
        ])
      })

      it('turns a server transaction into RED metrics', async () => {
        const transaction = {
          type: 'transaction',
          event_id: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
          transaction: 'GET /orders/:id',
          start_timestamp: 1767225600,
          timestamp: 1767225600.25,
          release: 'shop@1.4.2',
          contexts: {
            trace: {
              op: 'http.server',
              status: 'ok',
              trace_id: '0af7651916cd43dd8448eb211c80319c',
              span_id: 'b7ad6b7169203331',
              data: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
            },
          },
          spans: [],
        }
        const body = envelopeOf({ event_id: transaction.event_id }, [{ type: 'transaction' }, transaction])
        expect(await accepted(await send(envelopePath(), body))).toEqual({ id: transaction.event_id })
        expect(main.errors.reports).toEqual([])
        const byName = Object.fromEntries(main.metrics.points.map((point) => [point.name, point]))
        expect(Object.keys(byName).sort()).toEqual([
          'http_request_duration_seconds',
          'http_requests_total',
          'sentry_transaction_duration_seconds',
          'sentry_transactions_total',
        ])
        const http = { method: 'GET', status: '200', endpoint: '/orders/:id', source: 'sentry' }
        expect(byName.http_requests_total).toMatchObject({ type: 'counter', value: 1, labels: http })
        expect(byName.http_request_duration_seconds).toMatchObject({
          type: 'histogram',
          value: 0.25,
          labels: http,
        })
        expect(byName.sentry_transactions_total).toMatchObject({
          value: 1,
          labels: { transaction: 'GET /orders/:id', op: 'http.server', status: 'ok', release: 'shop@1.4.2' },
          timestamp: 1767225600250,
          project: 'shop',
        })
      })

      it('counts a check-in and keeps it as a log line', async () => {
        const body = serializeEnvelope(
          createCheckInEnvelope({
            check_in_id: 'dddddddddddddddddddddddddddddddd',
            monitor_slug: 'nightly-report',
            status: 'error',
            duration: 12.5,
            environment: 'production',
          }),
        )
        await accepted(await send(envelopePath(), body))
        expect(main.metrics.points).toMatchObject([
          {
            name: 'sentry_check_ins_total',
            type: 'counter',
            value: 1,
            labels: { monitor_slug: 'nightly-report', status: 'error', environment: 'production' },
            project: 'shop',
          },
        ])
        expect(main.logs).toMatchObject([
          {
            message: 'check-in nightly-report: error (12.500 s)',
            container: 'sentry-check-ins',
            level: 'ERROR',
            attributes: { monitor_slug: 'nightly-report', project: 'shop' },
          },
        ])
      })

      it('accepts and drops attachments, profiles and replays; skips unknown types', async () => {
        const body = envelopeOf(
          { event_id: EVENT_ID },
          createAttachmentEnvelopeItem({
            data: new Uint8Array([0, 10, 255, 10]),
            filename: 'core.bin',
            contentType: 'application/octet-stream',
          }) as Item,
          [{ type: 'profile' }, { version: '1', samples: [] }],
          [{ type: 'replay_event' }, { replay_id: 'x' }],
          [{ type: 'replay_recording' }, 'rrweb\n'],
          [{ type: 'foo_bar' }, { anything: true }],
        )
        expect(await accepted(await send(envelopePath(), body))).toEqual({ id: EVENT_ID })
        expect([main.errors.reports, main.metrics.points, main.logs]).toEqual([[], [], []])
      })

      it('skips an item with invalid JSON or over the size limit, and processes the rest', async () => {
        const big = nodeEvent({
          event_id: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
          extra: { blob: 'x'.repeat(MAX_ITEM_BYTES) },
        })
        const body = Buffer.concat([
          Buffer.from('{}\n'),
          Buffer.from('{"type":"event"}\n{"event_id": "broken",\n'),
          Buffer.from(`{"type":"event"}\n${JSON.stringify(big)}\n`),
          Buffer.from('{"type":"session","length":3}\n[1,\n'),
          Buffer.from(`{"type":"event"}\n${JSON.stringify(nodeEvent())}\n`),
        ])
        const answer = await accepted(await send(envelopePath(), body))
        expect(answer.id).toBe(EVENT_ID)
        expect(answer.skipped).toEqual([
          expect.stringMatching(/^item 2 \(event\): payload of \d+ bytes exceeds the limit of 65536 bytes$/),
          'item 1 (event): its payload is not valid JSON',
          'item 3 (session): its payload is not valid JSON',
        ])
        expect(main.errors.reports.map((report) => report.event?.event_id)).toEqual([EVENT_ID])
      })

      it('skips a log container when no log store is configured', async () => {
        const noLogs = recorders()
        const { relay } = await createTestRelay({
          forward: { errors: noLogs.errors, metrics: noLogs.metrics },
        })
        const key = await relay.service.createKey({ project: 'quiet' })
        const response = await relay.fetch(
          new Request(`http://relay.test/api/${key.project_id}/envelope/?sentry_key=${key.public_key}`, {
            method: 'POST',
            body: envelopeOf({}, [{ type: 'log' }, { items: [{ level: 'info', body: 'x' }] }]),
          }),
        )
        expect(await accepted(response)).toEqual({
          id: null,
          skipped: ['item 1 (log): no log store is configured for this relay'],
        })
      })
    })

    describe('hostile input', () => {
      const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

      it('keeps an event nested 10 000 levels deep, cut to a depth every store can serialize', async () => {
        const event = `{"event_id":"${EVENT_ID}","message":"deep","extra":{"a":${deep(10_000)}}}`
        const envelope = await send(envelopePath(), `{}\n{"type":"event"}\n${event}\n`)
        expect(await accepted(envelope)).toEqual({ id: EVENT_ID })
        const store = await send(`/api/${shop.project_id}/store/?sentry_key=${shop.public_key}`, event)
        expect(await accepted(store)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports).toHaveLength(2)
        for (const report of main.errors.reports) {
          expect(report.message).toBe('deep')
          // Cut where the error store takes it: free-form `extra` up to 32 levels.
          expect(report.extra).toEqual({ a: '[nested deeper than 32 levels]' })
        }
      })

      it('refuses an item length nested deep with 400, not a stack overflow', async () => {
        const response = await send(envelopePath(), `{}\n{"type":"event","length":${deep(20_000)}}\n{}`)
        expect(await refusal(response)).toEqual([400, 'BAD_REQUEST', expect.stringContaining('(an array)')])
      })

      it('refuses keys holding NUL or a malformed escape as unknown (401), never a 500', async () => {
        const nul = await send(`/api/${shop.project_id}/envelope/?sentry_key=%00`, eventEnvelope())
        expect(await refusal(nul)).toEqual([401, 'UNAUTHORIZED', expect.stringContaining('NUL')])
        for (const dsn of ['http://%00@relay.test/1', 'http://%E0%A4%A@relay.test/1']) {
          const header = await send(`/api/${shop.project_id}/envelope/`, eventEnvelope(nodeEvent(), { dsn }))
          expect((await refusal(header))[0], dsn).toBe(401)
          const tunnel = await send('/tunnel', eventEnvelope(nodeEvent(), { dsn }))
          expect((await refusal(tunnel))[0], dsn).toBeLessThan(500)
          const authorization = await send(`/api/${shop.project_id}/envelope/`, eventEnvelope(), {
            authorization: `DSN ${dsn}`,
          })
          expect((await refusal(authorization))[0], dsn).toBe(401)
        }
      })

      it('dates metric points of a clock that runs ahead, or before 2000, at receipt', async () => {
        const before = Date.now()
        const body = envelopeOf(
          {},
          [{ type: 'session' }, { init: true, status: 'ok', timestamp: '2999-01-01T00:00:00Z' }],
          [{ type: 'transaction' }, { transaction: 'job', start_timestamp: 1, timestamp: 2 }],
        )
        await accepted(await send(envelopePath(), body))
        expect(main.metrics.points.length).toBe(3)
        for (const point of main.metrics.points) {
          expect(point.timestamp).toBeGreaterThanOrEqual(before)
          expect(point.timestamp).toBeLessThanOrEqual(Date.now())
        }
      })
    })

    describe('the store endpoint', () => {
      const storePath = () => `/api/${shop.project_id}/store/?sentry_key=${shop.public_key}`

      it('takes one JSON event', async () => {
        const response = await send(storePath(), JSON.stringify(nodeEvent()), {
          'content-type': 'application/json',
        })
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports[0]).toMatchObject({ project: 'shop', traceback: TRACEBACK })
        const noSlash = await send(
          `/api/${shop.project_id}/store?sentry_key=${shop.public_key}`,
          JSON.stringify(nodeEvent()),
        )
        await accepted(noSlash)
      })

      it('takes base64 of zlib-deflated JSON (raven) and gzip', async () => {
        const raven = deflateSync(Buffer.from(JSON.stringify(nodeEvent()))).toString('base64')
        const auth = `Sentry sentry_version=7, sentry_client=raven-python/6.10.0, sentry_key=${shop.public_key}`
        const response = await send(`/api/${shop.project_id}/store/`, raven, {
          'x-sentry-auth': auth,
          'content-type': 'application/octet-stream',
        })
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        const gzipped = await send(storePath(), gzipSync(JSON.stringify(nodeEvent())), {
          'content-encoding': 'gzip',
        })
        await accepted(gzipped)
        expect(main.errors.reports.map((report) => report.traceback)).toEqual([TRACEBACK, TRACEBACK])
      })

      it('refuses what is not a JSON event with 400', async () => {
        for (const body of ['{"event_id":', 'bm90IGpzb24=', '[1,2]', '"text"', '']) {
          const response = await send(storePath(), body)
          const [status, code] = await refusal(response)
          expect([status, code], body).toEqual([400, expect.stringMatching(/INVALID_JSON|VALIDATION_FAILED/)])
        }
        expect(main.errors.reports).toEqual([])
      })

      it('authenticates as the envelope endpoint does', async () => {
        const none = await send(`/api/${shop.project_id}/store/`, JSON.stringify(nodeEvent()))
        expect((await refusal(none))[0]).toBe(401)
        const wrong = await send(`/api/${webProjectId}/store/?sentry_key=${shop.public_key}`, '{}')
        expect((await refusal(wrong))[0]).toBe(403)
      })
    })

    describe('rate limits', () => {
      it("answers over a key's own limit with 429, Retry-After and X-Sentry-Rate-Limits", async () => {
        const key = await harness.relay.service.createKey({ project: 'tiny' })
        const patched = await target.fetch(`/api/dsn-keys/${key.id}`, {
          method: 'PATCH',
          headers: admin,
          body: JSON.stringify({ rate_limit: 2 }),
        })
        expect(await patched.json()).toMatchObject({ rate_limit: 2 })
        const path = envelopePath(key.public_key, key.project_id)
        await accepted(await send(path, eventEnvelope()))
        await accepted(await send(path, eventEnvelope()))
        const limited = await send(path, eventEnvelope())
        expect(limited.status).toBe(429)
        const seconds = limited.headers.get('retry-after')
        expect(seconds).toMatch(/^\d+$/)
        expect(limited.headers.get('x-sentry-rate-limits')).toBe(`${seconds}::key`)
        expect(await limited.json()).toMatchObject({
          code: 'RATE_LIMITED',
          detail: expect.any(String),
          retry_after: Number(seconds),
        })
        expect(main.errors.reports).toHaveLength(2)
        // Other keys keep their budget.
        await accepted(await send(envelopePath(), eventEnvelope()))
      })
    })

    describe('CORS', () => {
      it('answers a preflight with the headers SDKs send and read', async () => {
        for (const path of [envelopePath(), `/api/${shop.project_id}/store/`, '/tunnel']) {
          const response = await target.fetch(path, {
            method: 'OPTIONS',
            headers: {
              origin: 'https://app.example.com',
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'content-type, x-sentry-auth, content-encoding',
            },
          })
          expect(response.status, path).toBe(204)
          expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
          expect(response.headers.get('access-control-allow-methods')).toContain('POST')
          const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/)
          expect(allowed).toEqual(
            expect.arrayContaining(['x-sentry-auth', 'content-encoding', 'content-type']),
          )
          expect(response.headers.get('vary')).toContain('Origin')
        }
      })

      it('exposes the rate-limit headers to the page', async () => {
        const response = await send(envelopePath(), eventEnvelope(), { origin: 'https://app.example.com' })
        await accepted(response)
        expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
        const exposed = response.headers.get('access-control-expose-headers')!.toLowerCase()
        expect(exposed).toContain('x-sentry-rate-limits')
        expect(exposed).toContain('retry-after')
      })

      it("refuses an origin outside the key's allowed origins with 403 and no CORS headers", async () => {
        const key = await harness.relay.service.createKey({
          project: 'storefront',
          allowed_origins: ['https://shop.example.com'],
        })
        const path = envelopePath(key.public_key, key.project_id)
        const own = await send(path, eventEnvelope(), { origin: 'https://shop.example.com' })
        await accepted(own)
        expect(own.headers.get('access-control-allow-origin')).toBe('https://shop.example.com')
        const evil = await send(path, eventEnvelope(), { origin: 'https://evil.example' })
        expect(await refusal(evil)).toEqual([
          403,
          'FORBIDDEN',
          expect.stringContaining('https://evil.example'),
        ])
        expect(evil.headers.get('access-control-allow-origin')).toBeNull()
        // A server SDK sends no Origin: the origin rule does not apply.
        await accepted(await send(path, eventEnvelope()))
        expect(main.errors.reports).toHaveLength(2)
      })
    })

    describe('the tunnel', () => {
      const tunnelled = (dsn: string, event = nodeEvent()) =>
        serializeEnvelope(
          createEventEnvelope(
            event as never,
            makeDsn(dsn),
            { sdk: { name: 'sentry.javascript.browser', version: '11.12.0' } },
            '/tunnel',
          ),
        )

      it('delivers an envelope whose header dsn names a key', async () => {
        const response = await send('/tunnel', tunnelled(shopDsn()), { origin: 'https://app.example.com' })
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports).toHaveLength(1)
        expect(main.errors.reports[0]!.project).toBe('shop')
      })

      it('refuses an envelope without a dsn (400), with an unknown key (401) or a wrong project (403)', async () => {
        const none = await send('/tunnel', eventEnvelope())
        expect(await refusal(none)).toEqual([400, 'BAD_REQUEST', expect.stringContaining('needs a dsn')])
        const unknown = await send(
          '/tunnel',
          tunnelled(`http://0123456789abcdef0123456789abcdef@relay.test/${shop.project_id}`),
        )
        expect((await refusal(unknown))[0]).toBe(401)
        const project = await send(
          '/tunnel',
          tunnelled(`http://${shop.public_key}@relay.test/${webProjectId}`),
        )
        expect((await refusal(project))[0]).toBe(403)
        // The query key is not the tunnel's: only the envelope says where it goes.
        const query = await send(`/tunnel?sentry_key=${shop.public_key}`, eventEnvelope())
        expect((await refusal(query))[0]).toBe(400)
        expect(main.errors.reports).toEqual([])
      })

      it('delivers here an envelope whose dsn names another host: the relay never forwards', async () => {
        const response = await send(
          '/tunnel',
          tunnelled(`https://${shop.public_key}@o1.ingest.sentry.io/${shop.project_id}`),
        )
        expect(await accepted(response)).toEqual({ id: EVENT_ID })
        expect(main.errors.reports.map((report) => report.project)).toEqual(['shop'])
      })
    })
  },
)

describe('sentry routes: relay options', () => {
  const servers: AdapterServer[] = []
  afterAll(async () => {
    for (const server of servers) await server.close()
  })
  const serve = async (overrides: Parameters<typeof createTestRelay>[0]) => {
    const harness = await createTestRelay(overrides)
    const server = await serveWithAdapter('node', harness.relay.router)
    servers.push(server)
    const key = await harness.relay.service.createKey({ project: 'shop' })
    return { harness, server, key }
  }
  const post = (
    server: AdapterServer,
    path: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ) => server.fetch(path, { method: 'POST', headers, body: body as BodyInit })
  const keyPath = (key: DsnKey) => `/api/${key.project_id}/envelope/?sentry_key=${key.public_key}`

  it("limits browsers by the relay's default, never server SDKs of a key without its own limit", async () => {
    const { server, key } = await serve({ rateLimit: 2 })
    for (let i = 0; i < 5; i++) expect((await post(server, keyPath(key), eventEnvelope())).status).toBe(200)
    const browser = { origin: 'https://app.example.com' }
    expect((await post(server, keyPath(key), eventEnvelope(), browser)).status).toBe(200)
    expect((await post(server, keyPath(key), eventEnvelope(), browser)).status).toBe(200)
    const limited = await post(server, keyPath(key), eventEnvelope(), browser)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-sentry-rate-limits')).toMatch(/^\d+::key$/)
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect((await post(server, keyPath(key), eventEnvelope())).status).toBe(200)
  })

  it('accepts any origin when no origin list is configured anywhere', async () => {
    const { server, key, harness } = await serve({ corsOrigins: [] })
    for (const origin of ['https://evil.example', 'http://localhost:1234', 'null']) {
      const response = await post(server, keyPath(key), eventEnvelope(), { origin })
      expect(response.status, origin).toBe(200)
      expect(response.headers.get('access-control-allow-origin')).toBe(origin)
    }
    expect(harness.errors.reports).toHaveLength(3)
  })

  it('serves the tunnel at sentry.tunnelPath', async () => {
    const { server, key, harness } = await serve({ sentry: { tunnelPath: '/monitoring' } })
    const body = eventEnvelope(nodeEvent(), { dsn: `http://${key.public_key}@relay.test/${key.project_id}` })
    expect((await post(server, '/monitoring', body)).status).toBe(200)
    // Not a route any more: a 404, as for any unknown path.
    expect((await post(server, '/tunnel', body)).status).toBe(404)
    expect(harness.errors.reports).toHaveLength(1)
  })

  describe('when a backend fails', () => {
    const failing = (error: () => Error): ErrorIngest => ({
      ingest: async () => {
        throw error()
      },
    })

    it('does not acknowledge an envelope the backend could not take (5xx), so the SDK may retry', async () => {
      const metrics = recordingMetrics()
      const { server, key } = await serve({
        forward: { errors: failing(() => new MonlightError('BAD_GATEWAY', 'errors store down')), metrics },
      })
      const body = envelopeOf(
        { event_id: EVENT_ID },
        [{ type: 'client_report' }, { discarded_events: [{ reason: 'x', category: 'error', quantity: 1 }] }],
        [{ type: 'event' }, nodeEvent()],
      )
      const response = await post(server, keyPath(key), body)
      expect(response.status).toBeGreaterThanOrEqual(500)
      expect(response.headers.get('x-sentry-rate-limits')).toBeNull()
      const store = await post(
        server,
        `/api/${key.project_id}/store/?sentry_key=${key.public_key}`,
        JSON.stringify(nodeEvent()),
      )
      expect(store.status).toBeGreaterThanOrEqual(500)
    })

    it('does not acknowledge when the log store is down', async () => {
      const down: LogsIngest = {
        write: async () => {
          throw new MonlightError('SERVICE_UNAVAILABLE', 'log store down')
        },
      }
      const { server, key } = await serve({
        forward: { errors: recordingErrors(), metrics: recordingMetrics(), logs: down },
      })
      const body = envelopeOf({}, [{ type: 'log' }, { items: [{ level: 'info', body: 'x', timestamp: 1 }] }])
      expect((await post(server, keyPath(key), body)).status).toBeGreaterThanOrEqual(500)
    })

    it('skips an event the errors store refuses (4xx) and acknowledges the rest', async () => {
      const metrics = recordingMetrics()
      const { server, key } = await serve({
        forward: {
          errors: failing(() => new MonlightError('VALIDATION_FAILED', "Field 'environment' is too long")),
          metrics,
        },
      })
      const body = envelopeOf(
        { event_id: EVENT_ID },
        [{ type: 'event' }, nodeEvent()],
        [{ type: 'client_report' }, { discarded_events: [{ reason: 'x', category: 'error', quantity: 1 }] }],
      )
      const response = await post(server, keyPath(key), body)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({
        id: EVENT_ID,
        skipped: [expect.stringContaining("item 1 (event): Field 'environment' is too long")],
      })
      expect(metrics.points).toHaveLength(1)
      const store = await post(
        server,
        `/api/${key.project_id}/store/?sentry_key=${key.public_key}`,
        JSON.stringify(nodeEvent()),
      )
      expect(store.status).toBe(400)
      expect(await store.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    })
  })
})
