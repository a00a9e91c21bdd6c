/**
 * Each ingest path on PostgreSQL vs the same path on SQLite, same run: one server process with the errors,
 * metrics and logs modules (their jobs running), started once on fresh SQLite files and once on a new schema of
 * the PostgreSQL server named by BENCH_POSTGRES_URL (or MONLIGHT_TEST_POSTGRES_URL), driven by the same
 * requests in alternating rounds. Paths: error reports (1 new group in 10, 32 connections), metrics (1,000
 * samples per request with client timestamps over the last minute, 8 connections), logs (1,000 lines per
 * request, 8 connections). Budget: every path on PostgreSQL ≥ ×0.5 of SQLite.
 * Then three such processes on one schema, each path driven through all three at once with the same connections
 * in all: the total against one instance, and every acknowledged write counted in the database (none lost, none
 * twice). Skipped, with a notice, when no PostgreSQL server is configured.
 */
import { createDatabase } from '@monlight/core'
import autocannon from 'autocannon'
import { errorReport } from './bodies.js'
import { fmt, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 4)
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.MONLIGHT_TEST_POSTGRES_URL

const metricsBody = () => {
  const now = Date.now()
  return JSON.stringify(
    Array.from({ length: 1000 }, (_, i) => ({
      name: i % 2 ? 'http_request_duration_seconds' : 'http_requests_total',
      type: i % 2 ? 'histogram' : 'counter',
      value: i % 2 ? 0.005 + (i % 97) / 1000 : 1,
      labels: { endpoint: `/api/items/${i % 25}`, method: i % 5 ? 'GET' : 'POST' },
      timestamp: new Date(now - ((i * 59) % 60_000)).toISOString(),
    })),
  )
}
const logsBody = JSON.stringify(
  Array.from({ length: 1000 }, (_, i) => ({
    container: `app-${i % 4}`,
    level: i % 20 ? 'INFO' : 'ERROR',
    message: `GET /api/items/${i % 300} 200 in ${i % 90} ms request_id=${(i * 7919).toString(16)}`,
  })),
)

interface Path {
  label: string
  path: string
  connections: number
  /** Units per request: errors, samples, lines. */
  per: number
  unit: string
  body(): string
  /** How the database counts the units stored: an aggregate over a table. */
  stored: { units: string; table: string }
}
const paths: Path[] = [
  {
    label: 'error reports',
    path: '/api/errors',
    connections: 32,
    per: 1,
    unit: 'errors',
    body: errorReport,
    stored: { units: 'sum(count)', table: 'monlight_errors_group' },
  },
  {
    label: 'metrics, client timestamps',
    path: '/api/metrics',
    connections: 8,
    per: 1000,
    unit: 'samples',
    body: metricsBody,
    stored: { units: 'sum(n)', table: 'monlight_metrics_raw_chunk' },
  },
  {
    label: 'logs',
    path: '/api/logs',
    connections: 8,
    per: 1000,
    unit: 'lines',
    body: () => logsBody,
    stored: { units: 'count(*)', table: 'monlight_logs_entry' },
  },
]

const withReport = (request: Record<string, unknown>) => {
  request.body = errorReport()
  return request
}

interface Run {
  /** Units per second. */
  rate: number
  /** Requests answered 2xx. */
  acknowledged: number
}

async function run(url: string, path: Path, duration: number, connections = path.connections): Promise<Run> {
  // One body replayed for the batch paths; a fresh report per request for errors, as real groups vary.
  const body = path.per > 1 ? { body: path.body() } : { requests: [{ setupRequest: withReport }] }
  const result = await autocannon({
    url: `${url}${path.path}`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
    ...body,
  })
  const bad = result.errors + result.timeouts + result.non2xx
  if (bad > 0) throw new Error(`${path.label}: ${bad} failed requests of ${result.requests.total}`)
  return { rate: result.requests.average * path.per, acknowledged: result['2xx'] }
}

if (!POSTGRES_URL) {
  console.log(
    'skipped: set BENCH_POSTGRES_URL (or MONLIGHT_TEST_POSTGRES_URL) to a PostgreSQL server to run it',
  )
  process.exit(0)
}

const sqlite = await startServer('ingest-paths.ts', { BENCH_POSTGRES_URL: '' })
const postgres = await startServer('ingest-paths.ts', { BENCH_POSTGRES_URL: POSTGRES_URL })
const rates1 = new Map<Path, number>()
try {
  const rows = []
  for (const path of paths) {
    const rates = { sqlite: [] as number[], postgres: [] as number[] }
    for (const server of [sqlite, postgres]) await run(server.url, path, 1)
    for (let round = 0; round < ROUNDS; round++) {
      rates.sqlite.push((await run(sqlite.url, path, DURATION)).rate)
      rates.postgres.push((await run(postgres.url, path, DURATION)).rate)
    }
    rates1.set(path, median(rates.postgres))
    const ratio = median(rates.postgres) / median(rates.sqlite)
    console.log(
      `${path.label.padEnd(28)} SQLite ${fmt(median(rates.sqlite)).padStart(9)} ${path.unit}/s (${rates.sqlite.map(fmt).join(' / ')})` +
        `  PostgreSQL ${fmt(median(rates.postgres)).padStart(9)} (${rates.postgres.map(fmt).join(' / ')})  ×${ratio.toFixed(2)}`,
    )
    rows.push({
      measure: `PostgreSQL, ${path.label}, ${path.connections} connections`,
      result: `${fmt(median(rates.postgres))} ${path.unit}/s`,
      baseline: `SQLite ${fmt(median(rates.sqlite))} ${path.unit}/s: ×${ratio.toFixed(2)}`,
      budget: '≥ ×0.5',
      met: ratio >= 0.5,
    })
  }
  rows.push(...(await threeInstances(rates1)))
  console.log(
    `RSS: SQLite server ${fmt(sqlite.rssMiB())} MiB, PostgreSQL server ${fmt(postgres.rssMiB())} MiB`,
  )
  report(rows)
} finally {
  sqlite.stop()
  postgres.stop()
}

/** Three instances on one schema, each path through all three at once; the acknowledged writes are then counted. */
async function threeInstances(single: ReadonlyMap<Path, number>) {
  const schema = `bench_shared_${process.pid}`
  const admin = await createDatabase({ postgres: POSTGRES_URL!, max: 1 })
  await admin.pool!.query(`create schema ${schema}`)
  const env = { BENCH_POSTGRES_URL: POSTGRES_URL!, BENCH_POSTGRES_SCHEMA: schema }
  const instances = await Promise.all([1, 2, 3].map(() => startServer('ingest-paths.ts', env)))
  try {
    const rows = []
    for (const path of paths) {
      const connections = Math.ceil(path.connections / instances.length)
      const runs = await Promise.all(instances.map((server) => run(server.url, path, DURATION, connections)))
      const total = runs.reduce((sum, r) => sum + r.rate, 0)
      const ratio = total / single.get(path)!
      console.log(
        `${path.label.padEnd(28)} 3 instances ${fmt(total).padStart(9)} ${path.unit}/s (${runs.map((r) => fmt(r.rate)).join(' + ')})  ×${ratio.toFixed(2)} of one`,
      )
      rows.push({
        measure: `PostgreSQL, 3 instances, ${path.label}, ${connections * instances.length} connections in all`,
        result: `${fmt(total)} ${path.unit}/s`,
        baseline: `1 instance ${fmt(single.get(path)!)} ${path.unit}/s: ×${ratio.toFixed(2)}`,
        budget: '—',
      })
      // Requests still in flight when a run ends are stored but not counted as acknowledged by the load tool: at
      // most one per connection. Fewer stored than acknowledged is a lost write; more than that margin, a doubled one.
      const sent = runs.reduce((sum, r) => sum + r.acknowledged, 0) * path.per
      const inFlight = connections * instances.length * path.per
      const { rows: counted } = await admin.pool!.query(
        `select ${path.stored.units} as n from ${schema}.${path.stored.table}`,
      )
      const found = Number(counted[0]?.n ?? 0)
      console.log(
        `${path.unit}: ${fmt(sent)} acknowledged, ${fmt(found)} stored (≤ ${fmt(inFlight)} in flight at the end)`,
      )
      if (found < sent || found > sent + inFlight) {
        throw new Error(`${path.label}: ${sent} ${path.unit} acknowledged, ${found} stored`)
      }
    }
    return rows
  } finally {
    for (const server of instances) server.stop()
    await new Promise((resolve) => setTimeout(resolve, 500))
    await admin.pool!.query(`drop schema if exists ${schema} cascade`)
    await admin.destroy()
  }
}
