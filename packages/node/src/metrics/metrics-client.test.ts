import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Logger, silentLogger } from '@monlight/core'
import { startHttpReceiver } from '@monlight/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { DROPPED_POINTS_METRIC, MetricsClient } from './metrics-client.js'

const receivers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
})

async function receiver(...args: Parameters<typeof startHttpReceiver>) {
  const started = await startHttpReceiver(...args)
  receivers.push(started)
  return started
}

function recordingLogger(lines: string[]): Logger {
  return { ...silentLogger, warn: (message) => lines.push(message), child: () => recordingLogger(lines) }
}

describe('MetricsClient over HTTP', () => {
  it('sends a bare JSON array with the API key, in the Python client format', async () => {
    const server = await receiver()
    const metrics = new MetricsClient({
      baseUrl: `${server.url}/`,
      apiKey: 'k1',
      project: 'shop',
      aggregate: false,
    })
    metrics.counter('orders_total', { status: 'paid' })
    metrics.histogram('checkout_seconds', 0.25)
    metrics.gauge('queue_depth', 7, {})
    await metrics.shutdown()
    expect(server.received).toHaveLength(1)
    const [request] = server.received
    expect(request?.path).toBe('/api/metrics')
    expect(request?.headers['x-api-key']).toBe('k1')
    const body = request?.body as Record<string, unknown>[]
    expect(body.map(({ timestamp, ...rest }) => rest)).toEqual([
      { name: 'orders_total', type: 'counter', value: 1, labels: { status: 'paid' }, project: 'shop' },
      { name: 'checkout_seconds', type: 'histogram', value: 0.25, project: 'shop' },
      { name: 'queue_depth', type: 'gauge', value: 7, project: 'shop' },
    ])
    expect(body[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('splits large buffers into batches of at most 1000 points', async () => {
    const server = await receiver()
    const metrics = new MetricsClient({ baseUrl: server.url, apiKey: 'k', aggregate: false })
    for (let i = 0; i < 2500; i++) metrics.counter('c')
    await metrics.flush()
    expect(server.received.map((request) => (request.body as unknown[]).length)).toEqual([1000, 1000, 500])
    await metrics.shutdown()
  })

  it('retries a failed batch once, then drops it, logging once', async () => {
    let failures = 0
    const server = await receiver(() => (failures++ < 2 ? { status: 503 } : { status: 202 }))
    const lines: string[] = []
    const metrics = new MetricsClient({ baseUrl: server.url, apiKey: 'k', logger: recordingLogger(lines) })
    metrics.counter('first')
    await metrics.flush() // 503: kept for one retry
    expect(metrics.buffered).toBe(1)
    await metrics.flush() // 503 again: dropped
    expect(metrics.buffered).toBe(0)
    metrics.counter('second')
    await metrics.flush() // 202
    const sent = server.received.map((request) =>
      (request.body as { name: string }[]).map((point) => point.name),
    )
    expect(sent).toEqual([['first'], ['first'], ['second']])
    expect(lines).toEqual(['metrics not delivered'])
    await metrics.shutdown()
  })

  it('keeps at most maxBuffer points, dropping the oldest, and reports the drop count', async () => {
    const server = await receiver()
    const metrics = new MetricsClient({
      baseUrl: server.url,
      apiKey: 'k',
      maxBuffer: 3,
      logger: silentLogger,
    })
    for (const value of [1, 2, 3, 4, 5]) metrics.gauge('g', value)
    expect(metrics.dropped).toBe(2)
    await metrics.shutdown()
    const body = server.received[0]?.body as { name: string; value: number }[]
    expect(body.map((point) => [point.name, point.value])).toEqual([
      ['g', 3],
      ['g', 4],
      ['g', 5],
      [DROPPED_POINTS_METRIC, 2],
    ])
  })

  it('aggregates a window: counters summed per series, histograms counted in ±0.5 % buckets', async () => {
    const server = await receiver()
    const metrics = new MetricsClient({ baseUrl: server.url, apiKey: 'k' })
    for (let i = 0; i < 1000; i++) {
      const labels = { route: i % 2 ? '/a' : '/b' }
      metrics.counter('requests_total', labels)
      metrics.histogram('duration_seconds', 0.1 + (i % 10) * 0.0001, labels)
    }
    metrics.histogram('duration_seconds', 2, { route: '/a' })
    await metrics.shutdown()
    const body = server.received[0]?.body as {
      name: string
      value: number
      count?: number
      labels: { route: string }
    }[]
    const counters = body.filter((point) => point.name === 'requests_total')
    expect(counters.map((point) => [point.labels.route, point.value])).toEqual([
      ['/b', 500],
      ['/a', 500],
    ])
    const histograms = body.filter((point) => point.name === 'duration_seconds')
    expect(histograms.reduce((sum, point) => sum + (point.count ?? 1), 0)).toBe(1001)
    expect(histograms.length).toBeLessThanOrEqual(6)
    for (const point of histograms) {
      if (point.count === undefined) expect(point.value).toBe(2)
      else expect(Math.abs(point.value - 0.1005) / 0.1005).toBeLessThan(0.01)
    }
  })

  it('never throws when the collector is unreachable', async () => {
    const metrics = new MetricsClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'k',
      timeoutMs: 500,
      logger: silentLogger,
    })
    metrics.counter('c')
    await expect(metrics.shutdown()).resolves.toBeUndefined()
  })

  it('flushes on its interval without keeping the process alive', async () => {
    const server = await receiver()
    const fixture = fileURLToPath(new URL('../__fixtures__/metrics-exit.ts', import.meta.url))
    const started = Date.now()
    // The child records one point with a 200 ms flush interval, waits 500 ms, then returns from its script: it
    // must have flushed on the timer and then exit although the timer is still scheduled.
    // (Asynchronously: the receiver runs in this process.)
    await promisify(execFile)(
      process.execPath,
      ['--conditions=@monlight/source', '--import', 'tsx', fixture, server.url],
      {
        timeout: 15_000,
      },
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(server.received.length).toBeGreaterThanOrEqual(1)
  })

  it('says what is missing', () => {
    expect(() => new MetricsClient({ apiKey: 'k' })).toThrow(/needs `baseUrl`/)
    expect(() => new MetricsClient({ baseUrl: 'http://x' })).toThrow(/needs `apiKey`/)
  })
})
