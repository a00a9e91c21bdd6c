import { gzipSync } from 'node:zlib'
import type { LogEntry, MetricPoint } from '@monlight/core'
import { recordingErrors, recordingMetrics, seededRandom } from '@monlight/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, DSN_KEY, type TestRelay } from '../../__fixtures__/harness.js'
import { otlpType } from './proto.js'

// The receiver's answers to what exporters and hostile clients send, on the real relay (stores recorded).
let t: TestRelay
let logs: LogEntry[]
const now = Date.now()
const ns = (ms: number) => `${ms}000000`

beforeEach(async () => {
  logs = []
  const errors = recordingErrors()
  const metrics = recordingMetrics()
  t = {
    ...(await createTestRelay({
      forward: { errors, metrics, logs: { write: async (entries) => ({ count: logs.push(...entries) }) } },
    })),
    errors,
    metrics,
  }
})

const post = (path: string, body: BodyInit | Uint8Array, headers: Record<string, string> = {}) =>
  t.relay.fetch(
    new Request(`http://relay.test${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
      body: body as BodyInit,
    }),
  )

const logsRequest = (records: unknown[], resource: Record<string, string> = { 'service.name': 'api' }) => ({
  resourceLogs: [
    {
      resource: {
        attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })),
      },
      scopeLogs: [{ scope: { name: 'test' }, logRecords: records }],
    },
  ],
})
const gauge = (name: string, points: unknown[]) => ({
  resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: points } }] }] }],
})

describe('OTLP receiver answers', () => {
  it('an empty request, as the spec requires, in JSON and protobuf', async () => {
    const json = await post('/v1/logs', '')
    expect([json.status, await json.json()]).toEqual([200, {}])
    const proto = await post('/v1/metrics', new Uint8Array(), { 'content-type': 'application/x-protobuf' })
    expect(proto.status).toBe(200)
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf')
    expect((await proto.arrayBuffer()).byteLength).toBe(0)
  })

  it('415 for another content type, 400 for undecodable JSON, protobuf or gzip, 404 for other paths', async () => {
    expect((await post('/v1/logs', 'x', { 'content-type': 'text/plain' })).status).toBe(415)
    const json = await post('/v1/logs', '{"resourceLogs":')
    expect([json.status, (await json.json()).detail]).toEqual([
      400,
      'The body is not valid JSON (an OTLP ExportLogsServiceRequest)',
    ])
    const proto = await post('/v1/traces', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]), {
      'content-type': 'application/x-protobuf',
    })
    expect(proto.status).toBe(400)
    expect((await proto.json()).detail).toMatch(/not a protobuf OTLP ExportTraceServiceRequest/)
    expect((await post('/v1/logs', 'not gzip', { 'content-encoding': 'gzip' })).status).toBe(400)
    expect((await post('/v1/profiles', '{}')).status).toBe(404)
    expect((await post('/v1/logs', '[]')).status).toBe(400)
  })

  it('401 without a key; a project key names the project', async () => {
    const anonymous = await t.relay.fetch(
      new Request('http://relay.test/v1/logs', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    )
    expect(anonymous.status).toBe(401)
    const res = await post('/v1/logs', JSON.stringify(logsRequest([{ body: { stringValue: 'hi' } }], {})), {
      authorization: `Bearer ${DSN_KEY}`,
    })
    expect(res.status).toBe(200)
    expect(logs[0]).toMatchObject({ message: 'hi', container: 'web' })
  })

  it('partial success: records and points it cannot use are counted, the rest kept', async () => {
    const res = await post(
      '/v1/logs',
      JSON.stringify(
        logsRequest([
          { timeUnixNano: ns(now), severityNumber: 13, body: { stringValue: 'kept' } },
          { timeUnixNano: ns(now + 3 * 86_400_000), body: { stringValue: 'from the future' } },
          { severityText: 'whatever', body: { stringValue: 'odd level' } },
        ]),
      ),
    )
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: '1 records refused: a time more than a day ahead',
      },
    })
    expect(logs.map((entry) => [entry.message, entry.level])).toEqual([
      ['kept', 'WARNING'],
      ['odd level', undefined],
    ])

    const metrics = await post(
      '/v1/metrics',
      JSON.stringify(gauge('temperature', [{ asDouble: 21.5 }, { asDouble: 'NaN' }, { asInt: '7' }, {}])),
    )
    const body = await metrics.json()
    expect(body.partialSuccess.rejectedDataPoints).toBe(2)
    expect(body.partialSuccess.errorMessage).toMatch(/finite number/)
    expect(t.metrics.points.map((p: MetricPoint) => p.value)).toEqual([21.5, 7])
  })

  it('answers protobuf with a protobuf partial success', async () => {
    const request = otlpType('ExportMetricsServiceRequest')
    const body = request
      .encode(request.fromObject(gauge('g', [{ asDouble: Number.POSITIVE_INFINITY }])))
      .finish()
    const res = await post('/v1/metrics', body, { 'content-type': 'application/x-protobuf' })
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    const response = otlpType('ExportMetricsServiceResponse')
    const decoded = response.toObject(response.decode(new Uint8Array(await res.arrayBuffer())), {
      longs: Number,
    })
    expect(decoded.partialSuccess.rejectedDataPoints).toBe(1)
  })

  it('cuts attributes nested 100 deep and keeps the record; takes gzip', async () => {
    let value: unknown = { stringValue: 'bottom' }
    for (let i = 0; i < 100; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } }
    const body = gzipSync(
      JSON.stringify(logsRequest([{ body: { stringValue: 'deep' }, attributes: [{ key: 'deep', value }] }])),
    )
    const res = await post('/v1/logs', body, { 'content-encoding': 'gzip' })
    expect([res.status, await res.json()]).toEqual([200, {}])
    expect(JSON.stringify(logs[0]!.attributes)).toContain('[nested too deep]')
  })

  it('refuses new series beyond the per-metric limit, naming the metric', async () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({
      asInt: '1',
      attributes: [{ key: 'user_id', value: { stringValue: `u${i}` } }],
    }))
    const res = await post('/v1/metrics', JSON.stringify(gauge('logins', points)))
    const body = await res.json()
    expect(body.partialSuccess.rejectedDataPoints).toBe(8_000)
    expect(body.partialSuccess.errorMessage).toMatch(/logins already has 2000 series/)
  })

  it('503 with Retry-After while a store is unavailable, so exporters retry', async () => {
    const down = await createTestRelay({
      forward: {
        errors: t.errors,
        metrics: {
          ingest: async () => {
            throw new Error('database is locked')
          },
        },
      },
    })
    const res = await down.relay.fetch(
      new Request('http://relay.test/v1/metrics', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(gauge('g', [{ asDouble: 1 }])),
      }),
    )
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
  })
})

describe('OTLP receiver fuzz', () => {
  const seed = Number(process.env.MONLIGHT_FUZZ_SEED ?? Date.now() % 1_000_000)
  const rounds = Number(process.env.MONLIGHT_FUZZ_ROUNDS ?? 200)

  it(`never answers 5xx to mutated JSON or protobuf (seed ${seed})`, async () => {
    const random = seededRandom(seed)
    const samples = [
      logsRequest([
        {
          timeUnixNano: ns(now),
          body: { stringValue: 'x' },
          attributes: [{ key: 'a', value: { intValue: '9' } }],
        },
      ]),
      gauge('g', [{ asDouble: 1, timeUnixNano: ns(now) }]),
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    kind: 2,
                    startTimeUnixNano: ns(now - 5),
                    endTimeUnixNano: ns(now),
                    events: [
                      {
                        name: 'exception',
                        attributes: [{ key: 'exception.type', value: { stringValue: 'E' } }],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ]
    const paths = ['/v1/logs', '/v1/metrics', '/v1/traces']
    const junk = [
      null,
      -1,
      Number.POSITIVE_INFINITY,
      'NaN',
      '',
      [],
      {},
      { stringValue: 1 },
      '99999999999999999999999',
      true,
    ]
    for (let round = 0; round < rounds; round++) {
      const index = Math.floor(random() * 3)
      const text = JSON.stringify(samples[index])
      // Swap one JSON value for junk, or cut the text, or flip bytes of its protobuf form.
      let body: string | Uint8Array
      let type = 'application/json'
      const mode = random()
      if (mode < 0.5) {
        const values = [...text.matchAll(/:("[^"]*"|-?\d+|\{\}|\[\])/g)]
        const target = values[Math.floor(random() * values.length)]!
        const replacement = JSON.stringify(junk[Math.floor(random() * junk.length)])
        body = text.slice(0, target.index! + 1) + replacement + text.slice(target.index! + target[0].length)
      } else if (mode < 0.7) {
        body = text.slice(0, Math.floor(random() * text.length))
      } else {
        const name = ['ExportLogsServiceRequest', 'ExportMetricsServiceRequest', 'ExportTraceServiceRequest'][
          index
        ]!
        const type_ = otlpType(name)
        const bytes = type_.encode(type_.fromObject(samples[index]!)).finish()
        for (let i = 0; i < 3; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
        body = bytes
        type = 'application/x-protobuf'
      }
      const res = await post(paths[index]!, body, { 'content-type': type })
      expect(
        res.status,
        `round ${round}: ${typeof body === 'string' ? body : Buffer.from(body).toString('hex')}`,
      ).toBeLessThan(500)
    }
  })
})
