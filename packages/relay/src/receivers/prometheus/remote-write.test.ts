import { createRequire } from 'node:module'
import { seededRandom } from '@monlight/test-utils'
import { compressSync } from 'snappy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveRelayWithStores } from '../../__fixtures__/harness.js'

// The prometheus-remote-write client pushing through the relay into the real metrics store.
const { pushTimeseries, serialize } = createRequire(import.meta.url)('prometheus-remote-write') as {
  pushTimeseries(series: unknown, options: unknown): Promise<{ status: number; errorMessage?: string }>
  serialize(payload: unknown): Promise<Uint8Array>
}
const KEY = 'remote-write-test-api-key'
let stack: Awaited<ReturnType<typeof serveRelayWithStores>>
let url: string
let metrics: typeof stack.metrics

beforeAll(async () => {
  stack = await serveRelayWithStores(KEY)
  url = `${stack.base}/api/v1/write`
  metrics = stack.metrics
})

afterAll(() => stack.close())

const options = () => ({ url, fetch: globalThis.fetch, auth: { username: 'prometheus', password: KEY } })
const sample = (value: number, timestamp = Date.now()) => ({ value, timestamp })
const query = async (name: string) => {
  await metrics.service.flush()
  await metrics.service.aggregate()
  return JSON.stringify(await metrics.service.query({ name, period: '1h' }))
}

describe('remote_write from the prometheus-remote-write client', () => {
  it('counters become increments, gauges stay, histogram buckets become percentiles', async () => {
    const t0 = Date.now() - 30_000
    const push = (offset: number, requests: number, buckets: [string, number][]) =>
      pushTimeseries(
        [
          {
            labels: { __name__: 'http_requests_total', job: 'api', code: '200' },
            samples: [sample(requests, t0 + offset)],
          },
          {
            labels: { __name__: 'temperature_celsius', room: 'lab' },
            samples: [sample(21 + offset / 10_000, t0 + offset)],
          },
          ...buckets.map(([le, count]) => ({
            labels: { __name__: 'rpc_seconds_bucket', le, job: 'api' },
            samples: [sample(count, t0 + offset)],
          })),
        ],
        options(),
      )
    const first = await push(0, 100, [
      ['0.1', 10],
      ['0.5', 12],
      ['+Inf', 12],
    ])
    expect(first).toMatchObject({ status: 204 })
    // Ten more requests; four more RPCs: two under 0.1 s, one in (0.1, 0.5], one slower.
    expect(
      await push(10_000, 110, [
        ['0.1', 12],
        ['0.5', 15],
        ['+Inf', 16],
      ]),
    ).toMatchObject({ status: 204 })
    expect(await query('http_requests_total')).toMatch(/"sum":10\b/)
    expect(await query('temperature_celsius')).toMatch(/"last":22\b|"max":22\b/)
    const rpc = JSON.parse(await query('rpc_seconds')) as { data: { count: number }[] }
    expect(rpc.data.reduce((total, bucket) => total + bucket.count, 0)).toBe(4)
  })

  it('answers 400 for garbage, 415 for remote_write 2.0 and other types, 401 without a key', async () => {
    const post = (body: Uint8Array, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, ...headers } })
    const protobuf = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }
    expect((await post(new Uint8Array([9, 9, 9]), protobuf)).status).toBe(400)
    expect((await post(compressSync(Buffer.from([0x0a, 0xff, 0xff])), protobuf)).status).toBe(400)
    const v2 = await post(compressSync(Buffer.from([])), {
      ...protobuf,
      'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    })
    expect(v2.status).toBe(415)
    expect((await v2.json()).detail).toMatch(/Only remote_write 1.0/)
    expect((await post(new Uint8Array([1]), { 'content-type': 'application/json' })).status).toBe(415)
    expect((await fetch(url, { method: 'POST', body: new Uint8Array([1]) })).status).toBe(401)
    // A body that declares 1 GiB once decompressed is refused before decompression.
    expect((await post(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00]), protobuf)).status).toBe(413)
  })

  it('drops NaN and ±Inf samples (stale markers) and keeps the rest', async () => {
    const body = compressSync(
      Buffer.from(
        await serialize({
          timeseries: [
            {
              labels: [{ name: '__name__', value: 'queue_depth' }],
              samples: [sample(Number.NaN), sample(5)],
            },
            {
              labels: [
                { name: '__name__', value: 'queue_depth' },
                { name: 'q', value: 'b' },
              ],
              samples: [sample(Infinity)],
            },
          ],
        }),
      ),
    )
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      },
    })
    expect(res.status).toBe(204)
    expect(await query('queue_depth')).toMatch(/"last":5\b|"max":5\b/)
  })

  it('never answers 5xx to corrupted requests', async () => {
    const seed = Number(process.env.MONLIGHT_FUZZ_SEED ?? Date.now() % 1_000_000)
    const random = seededRandom(seed)
    const valid = await serialize({
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'fuzz_total' },
            { name: 'le', value: '1' },
          ],
          samples: [sample(3)],
        },
      ],
    })
    for (let round = 0; round < 150; round++) {
      const bytes = Buffer.from(valid)
      for (let i = 0; i < 2; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
      const res = await fetch(url, {
        method: 'POST',
        body: random() < 0.5 ? compressSync(bytes) : bytes,
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
        },
      })
      expect(res.status, `seed ${seed} round ${round}: ${bytes.toString('hex')}`).toBeLessThan(500)
    }
  })
})
