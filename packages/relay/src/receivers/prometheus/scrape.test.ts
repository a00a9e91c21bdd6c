import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDatabase, silentLogger } from '@monlight/core'
import { createMetrics } from '@monlight/metrics'
import { recordingErrors, seededRandom, until } from '@monlight/test-utils'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRelay } from '../../index.js'
import { relayOptionsSchema } from '../../options.js'
import { inProcessForwarder } from '../../service/forward.js'
import { createCumulativeTracker, createSeriesBudget } from '../metric-points.js'
import { parseExposition, parseSampleLine } from './exposition.js'
import { createScraper, type ScrapeTarget } from './scrape.js'

// A real prom-client registry on a real node:http /metrics endpoint, pulled by the scraper into the real store.
let app: Server
let base: string
const registry = new Registry()
const orders = new Counter({
  name: 'orders_total',
  help: 'Orders',
  labelNames: ['plan'],
  registers: [registry],
})
const inflight = new Gauge({ name: 'inflight_requests', help: 'In flight', registers: [registry] })
const latency = new Histogram({
  name: 'checkout_seconds',
  help: 'Checkout latency',
  buckets: [0.1, 0.5, 1],
  registers: [registry],
})
const hang = false

beforeAll(async () => {
  app = createServer(async (request, response) => {
    if (request.url === '/hang') return // never answers
    if (request.url === '/huge') {
      response.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = `${'x'.repeat(1023)}\n`
      const write = () => {
        while (response.write(chunk)) if (response.writableLength > 1e6) break
        response.once('drain', write)
      }
      write()
      return
    }
    if (hang) return
    response.writeHead(200, { 'content-type': registry.contentType })
    response.end(await registry.metrics())
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})

afterAll(() => {
  app.closeAllConnections()
  return new Promise((resolve) => app.close(resolve))
})

async function setup(targets: Partial<ScrapeTarget>[]) {
  const database = await createDatabase({ sqlite: ':memory:' })
  const metrics = createMetrics({ database, apiKeys: ['k'] })
  await metrics.migrate()
  const warnings: string[] = []
  const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) }
  const scraper = createScraper({
    targets: relayOptionsSchema.shape.scrape.parse(targets),
    forwarder: inProcessForwarder(recordingErrors(), metrics.service, undefined, logger),
    cumulative: createCumulativeTracker({ maxSeries: 1000, now: Date.now }),
    series: createSeriesBudget({ maxPerMetric: 100, maxMetrics: 100 }),
    logger,
    now: Date.now,
  })
  const query = async (name: string) => {
    await metrics.service.flush()
    await metrics.service.aggregate()
    return JSON.stringify(await metrics.service.query({ name, period: '1h' }))
  }
  return { scraper, query, warnings }
}

describe('scraping a prom-client app', () => {
  it('counters as increments, gauges, histogram buckets as percentiles, and up', async () => {
    const { scraper, query } = await setup([{ url: `${base}/metrics`, job: 'shop', intervalSeconds: 1 }])
    orders.inc({ plan: 'pro' }, 3)
    inflight.set(4)
    for (const value of [0.05, 0.2, 0.7]) latency.observe(value)
    await scraper.scrapeDue(new AbortController().signal) // the baseline
    orders.inc({ plan: 'pro' }, 2)
    for (const value of [0.05, 0.3]) latency.observe(value)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    await scraper.scrapeDue(new AbortController().signal)
    expect(await query('orders_total')).toMatch(/"sum":2\b/)
    expect(await query('inflight_requests')).toMatch(/"last":4\b|"max":4\b/)
    const histogram = JSON.parse(await query('checkout_seconds')) as { data: { count: number }[] }
    expect(histogram.data.reduce((total, bucket) => total + bucket.count, 0)).toBe(2)
    expect(await query('up')).toMatch(/"last":1\b|"max":1\b/)
    expect(await query('checkout_seconds_count')).toMatch(/"sum":2\b/)
    expect(await query('scrape_duration_seconds')).toContain('"count":2')
  })

  it('a target that hangs or answers too much is cut, recorded as up 0 and logged once', async () => {
    const { scraper, query, warnings } = await setup([
      { url: `${base}/hang`, job: 'stuck', timeoutSeconds: 0.3, intervalSeconds: 1 },
      { url: `${base}/huge`, job: 'huge', maxBytes: 1_000_000, intervalSeconds: 1 },
    ])
    const started = performance.now()
    await scraper.scrapeDue(new AbortController().signal)
    expect(performance.now() - started).toBeLessThan(5_000)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    await scraper.scrapeDue(new AbortController().signal)
    expect(await query('up')).toMatch(/"max":0\b/)
    expect(warnings.filter((w) => w === 'scrape target down')).toHaveLength(2)
  })

  it('runs on the relay scheduler from the scrape option', async () => {
    const database = await createDatabase({ sqlite: ':memory:' })
    const metrics = createMetrics({ database, apiKeys: ['k'] })
    await metrics.migrate()
    const relay = createRelay({
      database,
      apiKeys: ['k'],
      forward: { errors: recordingErrors(), metrics: metrics.service },
      scrape: [{ url: `${base}/metrics`, job: 'scheduled', intervalSeconds: 1 }],
    })
    await relay.migrate()
    const stop = relay.start()
    try {
      const names = await until(
        () => metrics.service.flush().then(() => metrics.service.names()),
        (result) => result.metrics.some((m) => m.name === 'up'),
      )
      expect(names.metrics.map((m) => m.name)).toContain('scrape_duration_seconds')
    } finally {
      await stop()
    }
  })

  it('refuses bad targets with a message that says what to fix', () => {
    expect(() => relayOptionsSchema.shape.scrape.parse([{ url: 'ftp://x/metrics' }])).toThrow(/http\(s\) URL/)
    expect(
      relayOptionsSchema.shape.scrape.parse([
        { url: 'http://a/metrics', timeoutSeconds: 60, intervalSeconds: 5 },
      ])[0],
    ).toMatchObject({ timeoutSeconds: 5 })
  })
})

describe('the exposition parser', () => {
  it('reads names, escaped labels, values and timestamps, and skips comments, _created and EOF', () => {
    const text = [
      '# HELP http_requests_total Requests',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="GET",path="/a \\"b\\" \\\\ c\\n"} 1027 1395066363000',
      'http_requests_total_created{method="GET"} 1.7e9',
      'temperature -3.5e-1',
      'weird{le="+Inf"} +Inf',
      'nan NaN',
      'broken{a="b" 1',
      '# EOF',
    ].join('\n')
    const { series, types, invalid } = parseExposition(text, 42)
    expect(types.get('http_requests_total')).toBe('counter')
    expect(invalid).toBe(1)
    expect(series.map((s) => [s.labels, s.samples[0]])).toEqual([
      [
        { __name__: 'http_requests_total', method: 'GET', path: '/a "b" \\ c\n' },
        { value: 1027, timestamp: 1395066363000 },
      ],
      [{ __name__: 'temperature' }, { value: -0.35, timestamp: 42 }],
      [
        { __name__: 'weird', le: '+Inf' },
        { value: Infinity, timestamp: 42 },
      ],
      [{ __name__: 'nan' }, { value: Number.NaN, timestamp: 42 }],
    ])
  })

  it('never throws on random lines', () => {
    const seed = Number(process.env.MONLIGHT_FUZZ_SEED ?? Date.now() % 1_000_000)
    const random = seededRandom(seed)
    const alphabet = 'a_{}="\\, 1.e+-#\nIfN:'
    for (let round = 0; round < 2_000; round++) {
      const line = Array.from(
        { length: Math.floor(random() * 40) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('')
      expect(() => parseSampleLine(line), `seed ${seed}: ${line}`).not.toThrow()
    }
  })
})
