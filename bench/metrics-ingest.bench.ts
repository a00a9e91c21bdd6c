/**
 * Metrics ingest over HTTP (1,000-point batches, keep-alive, the module on SQLite) vs raw better-sqlite3
 * inserting the same rows (upstream's metrics_raw shape, one prepared INSERT per row, one transaction per
 * batch) in this process. The points carry no timestamp, so both sides stamp them on arrival: a replayed body
 * with fixed timestamps would insert into the middle of the time indexes on every request, which no real
 * client does. Alternating rounds; the figure is the median HTTP points/s divided by the median raw
 * rows/s (budget ≥ 0.5, and ≥ 300,000 points/s absolute).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { fmt, load, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 4)
const BATCH = 1000

const points = Array.from({ length: BATCH }, (_, i) => {
  const histogram = i % 2 === 1
  return {
    name: histogram ? 'http_request_duration_seconds' : 'http_requests_total',
    type: histogram ? 'histogram' : 'counter',
    value: histogram ? 0.005 + (i % 97) / 1000 : 1,
    labels: {
      method: i % 5 ? 'GET' : 'POST',
      endpoint: `/api/items/${i % 20}`,
      status: i % 50 ? '200' : '500',
    },
    project: 'bench',
  }
})
const body = JSON.stringify(points)

/**
 * Raw better-sqlite3 inserting the same points as text labels and timestamps, batch by batch, into one table
 * that grows across rounds as the server's does.
 */
function createRawInserter() {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'metrics-raw-')), 'raw.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`create table metrics_raw (id integer primary key autoincrement, timestamp text not null,
    name text not null, labels text, value real not null, type text not null, project text)`)
  db.exec('create index idx_raw_name_timestamp on metrics_raw (name, timestamp)')
  const insert = db.prepare(
    'insert into metrics_raw (timestamp, name, labels, value, type, project) values (?, ?, ?, ?, ?, ?)',
  )
  const batch = db.transaction((rows: typeof points) => {
    const timestamp = new Date().toISOString()
    for (const p of rows) insert.run(timestamp, p.name, JSON.stringify(p.labels), p.value, p.type, p.project)
  })
  return (seconds: number): number => {
    const started = performance.now()
    let rows = 0
    while (performance.now() - started < seconds * 1000) {
      batch(points)
      rows += BATCH
    }
    return rows / ((performance.now() - started) / 1000)
  }
}

const server = await startServer('metrics-ingest.ts')
const request = {
  url: `${server.url}/api/metrics`,
  method: 'POST' as const,
  body,
  headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
  connections: 8,
}
try {
  const rawInsertRate = createRawInserter()
  await load({ ...request, duration: 2 })
  rawInsertRate(2)
  const http: number[] = []
  const raw: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(rawInsertRate(DURATION))
    const result = await load({ ...request, duration: DURATION })
    if (result.errors > 0 || result.non2xx > 0) throw new Error(`failed requests: ${JSON.stringify(result)}`)
    http.push(result.requestsPerSecond * BATCH)
  }
  const ratio = median(http) / median(raw)
  console.log(
    `body: ${fmt(Buffer.byteLength(body))} bytes, ${BATCH} points per request, ${ROUNDS} rounds × ${DURATION} s, 8 connections`,
  )
  console.log(`raw better-sqlite3 rows/s     ${fmt(median(raw)).padStart(10)}  (${raw.map(fmt).join(' / ')})`)
  console.log(
    `HTTP ingest points/s          ${fmt(median(http)).padStart(10)}  (${http.map(fmt).join(' / ')})  RSS ${fmt(server.rssMiB())} MiB`,
  )
  report([
    {
      measure: `HTTP ingest, ${fmt(BATCH)}-point batches, 8 connections`,
      result: `${fmt(median(http))} points/s`,
      baseline: `raw better-sqlite3 ${fmt(median(raw))} rows/s: ×${ratio.toFixed(2)}`,
      budget: '≥ 300,000 points/s, ≥ ×0.5',
      met: median(http) >= 300_000 && ratio >= 0.5,
    },
  ])
} finally {
  server.stop()
}
