/**
 * Metrics reads over HTTP on SQLite with 30 days of data: `GET /api/metrics` for one histogram metric (8 label
 * combinations, hourly rollups with sketches) and `GET /api/dashboard?period=30d` (HTTP figures and Web Vitals
 * from rollups). Latency p95 of sequential keep-alive requests, and as a ratio to bare node:http answering a
 * JSON body of the same size in the same run (budgets: query p95 ≤ 20 ms, dashboard p95 ≤ 50 ms).
 */
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase, type MetricPoint } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createMetrics } from '@monlight/metrics'
import { type BenchRow, fmt, report } from './lib.js'

const DAYS = 30
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200)
const HOUR = 3_600_000
const clock = { now: Math.floor(Date.now() / HOUR) * HOUR }

const database = await createDatabase({
  sqlite: join(mkdtempSync(join(tmpdir(), 'metrics-query-')), 'm.sqlite'),
})
const metrics = createMetrics({
  database,
  apiKeys: ['bench-key'],
  now: () => clock.now,
  retention: { hourlyDays: 90 },
})
await metrics.migrate()

// 30 days, one minute per hour with 10 points per series: requests, latencies, and Web Vitals on 5 pages.
const seedStarted = performance.now()
let batch: MetricPoint[] = []
const flush = async () => {
  if (batch.length) await metrics.service!.ingest(batch)
  batch = []
}
for (let hour = DAYS * 24; hour > 0; hour--) {
  const at = clock.now - hour * HOUR + 60_000
  for (let i = 0; i < 10; i++) {
    for (const method of ['GET', 'POST']) {
      for (const status of ['200', '201', '404', '500']) {
        const labels = { method, status, endpoint: '/api/items' }
        batch.push({ name: 'http_requests_total', type: 'counter', value: 1, labels, timestamp: at + i })
        batch.push({
          name: 'http_request_duration_seconds',
          type: 'histogram',
          value: 0.01 + ((hour * 7 + i * 13) % 90) / 300,
          labels,
          timestamp: at + i,
        })
      }
    }
    const page = `/page/${i % 5}`
    batch.push({
      name: 'web_vitals_lcp',
      type: 'histogram',
      value: 1500 + ((hour + i) % 40) * 60,
      labels: { page },
      timestamp: at + i,
    })
    batch.push({
      name: 'web_vitals_inp',
      type: 'histogram',
      value: 80 + ((hour + i) % 30) * 10,
      labels: { page },
      timestamp: at + i,
    })
    batch.push({
      name: 'web_vitals_cls',
      type: 'histogram',
      value: ((hour + i) % 20) / 100,
      labels: { page },
      timestamp: at + i,
    })
  }
  if (batch.length >= 900) await flush()
}
await flush()
clock.now += 5_000
await metrics.service!.aggregate()
console.log(
  `seeded ${DAYS} days (${fmt(DAYS * 24 * 10 * 19)} points) and aggregated in ${fmt((performance.now() - seedStarted) / 1000)} s`,
)

const listen = (handler: Parameters<typeof createServer>[1]) =>
  new Promise<string>((resolve) => {
    const server = createServer(handler)
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    server.unref()
  })
const moduleUrl = await listen(toNodeListener(metrics.router))
const headers = { 'x-api-key': 'bench-key' }

async function p95(
  url: string,
  samples: number,
  before?: () => Promise<unknown>,
): Promise<{ p95: number; bytes: number }> {
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < samples + 5; i++) {
    await before?.()
    const started = performance.now()
    const response = await fetch(url, { headers })
    const text = await response.text()
    if (!response.ok) throw new Error(`${url}: ${response.status} ${text}`)
    if (i >= 5) times.push(performance.now() - started)
    bytes = text.length
  }
  times.sort((a, b) => a - b)
  return { p95: times[Math.floor(times.length * 0.95)]!, bytes }
}

const rows: BenchRow[] = []
for (const [label, path, budget] of [
  ['query 30d hourly', '/api/metrics?name=http_request_duration_seconds&period=30d', 20],
  ['dashboard 30d', '/api/dashboard?period=30d', 50],
] as const) {
  // Warm: results cached until the next aggregation run. Cold: an aggregation run (which clears the cache)
  // before every request, so each one reads and merges the rollups.
  const warm = await p95(moduleUrl + path, SAMPLES)
  const cold = await p95(moduleUrl + path, Math.ceil(SAMPLES / 5), () => metrics.service!.aggregate())
  const body = 'x'.repeat(warm.bytes)
  const bareUrl = await listen((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  const bare = await p95(bareUrl, SAMPLES)
  console.log(
    `${label.padEnd(17)} p95 ${warm.p95.toFixed(2)} ms (budget ≤ ${budget} ms)  ×${(warm.p95 / bare.p95).toFixed(1)} of bare node:http ` +
      `(${bare.p95.toFixed(2)} ms for the same ${fmt(warm.bytes)} bytes); uncached p95 ${cold.p95.toFixed(2)} ms`,
  )
  rows.push({
    measure: `${label} over HTTP, uncached (cached)`,
    result: `p95 ${cold.p95.toFixed(2)} ms (${warm.p95.toFixed(2)} ms)`,
    baseline: `bare node:http, same ${fmt(warm.bytes)} bytes: p95 ${bare.p95.toFixed(2)} ms`,
    budget: `p95 ≤ ${budget} ms`,
    met: cold.p95 <= budget,
  })
}
report(rows)
await database.destroy()
process.exit(0)
