/**
 * Memory of the standalone stack as `npm start` runs it (the built CLI, four ports, SQLite): resident set size
 * idle (after start, then after the runtime has settled) and its peak under sustained ingest of errors, metrics,
 * logs and browser errors through the relay at once, with metrics aggregation running meanwhile. Budget: ≤ 80 MiB idle, ≤ 200 MiB under load. The
 * baseline is a bare node:http server started the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { fmt, report, rssMiB } from './lib.js'

const CLI = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url))
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE ?? 30)
const LOAD_SECONDS = Number(process.env.BENCH_LOAD ?? 30)
const KEY = 'bench-key'
const PORTS = [25110, 25111, 25112, 25113] as const
const [ERRORS, LOGS, METRICS, RELAY] = PORTS.map((port) => `http://127.0.0.1:${port}`) as [
  string,
  string,
  string,
  string,
]

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitHealthy(urls: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await Promise.all(
      urls.map((url) =>
        fetch(`${url}/health`)
          .then((response) => response.ok)
          .catch(() => false),
      ),
    )
    if (up.every(Boolean)) return
    await sleep(100)
  }
  throw new Error('the stack did not become healthy')
}

/** The idle RSS of a bare node:http server: what the runtime alone costs on this machine. */
async function bareNodeRss(): Promise<number> {
  const child = spawn(
    process.execPath,
    ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${PORTS[0]}, '127.0.0.1')`],
    { stdio: 'ignore' },
  )
  try {
    await waitHealthy([ERRORS])
    await sleep(SETTLE_SECONDS * 1000)
    return rssMiB(child.pid!)
  } finally {
    child.kill()
    await sleep(200)
  }
}

let sequence = 0
const errorBody = () => {
  const n = sequence++
  const type = n % 10 === 0 ? `New${n}Error` : `Known${n % 200}Error`
  return JSON.stringify({
    project: 'bench',
    exception_type: type,
    message: `request ${n} failed`,
    traceback: `Traceback (most recent call last):\n  File "/app/api.py", line ${n % 200}, in handler\n    raise ${type}()\n${type}: request ${n} failed`,
    request_url: 'https://shop.example.com/api/orders',
    extra: { order: n },
  })
}
const metricsBody = JSON.stringify(
  Array.from({ length: 200 }, (_, i) => ({
    name: i % 2 ? 'http_request_duration_seconds' : 'http_requests_total',
    type: i % 2 ? 'histogram' : 'counter',
    value: i % 2 ? 0.01 + (i % 50) / 1000 : 1,
    labels: { endpoint: `/api/items/${i % 20}`, status: i % 40 ? '200' : '500' },
  })),
)
const logsBody = JSON.stringify(
  Array.from({ length: 50 }, (_, i) => ({
    container: `service-${i % 5}`,
    level: i % 9 ? 'INFO' : 'ERROR',
    message: `GET /api/items/${i} 200 in ${i % 30} ms user=${i * 7} connection refused retry=${i % 3}`,
  })),
)

async function sustainedLoad(child: ChildProcess, dsn: string): Promise<{ peak: number; requests: number }> {
  const json = { 'content-type': 'application/json', 'x-api-key': KEY }
  const run = (options: autocannon.Options) =>
    autocannon({ duration: LOAD_SECONDS, connections: 4, ...options })
  let peak = rssMiB(child.pid!)
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(child.pid!))
  }, 250)
  try {
    const results = await Promise.all([
      run({
        url: `${ERRORS}/api/errors`,
        method: 'POST',
        headers: json,
        requests: [
          { setupRequest: (request: Record<string, unknown>) => ({ ...request, body: errorBody() }) },
        ],
      }),
      run({ url: `${METRICS}/api/metrics`, method: 'POST', headers: json, body: metricsBody }),
      run({ url: `${LOGS}/api/logs`, method: 'POST', headers: json, body: logsBody }),
      run({
        url: `${RELAY}/api/browser/errors`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-monlight-key': dsn },
        body: JSON.stringify({
          type: 'TypeError',
          message: 'x is undefined',
          stack: 'TypeError: x\n    at a (app.js:1:1)',
        }),
      }),
    ])
    const failed = results.reduce((sum, result) => sum + result.errors + result.timeouts, 0)
    if (failed > 0) throw new Error(`${failed} requests failed under load`)
    return { peak, requests: results.reduce((sum, result) => sum + result.requests.total, 0) }
  } finally {
    clearInterval(sampler)
  }
}

const bare = await bareNodeRss()
const dataDir = mkdtempSync(join(tmpdir(), 'monlight-rss-'))
const stack = spawn(process.execPath, [CLI], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    MONLIGHT_DATA_DIR: dataDir,
    MONLIGHT_PORTS: PORTS.join(','),
    LOG_SOURCES: dataDir,
    API_KEY: KEY,
    LOG_LEVEL: 'warn',
    // Aggregation every 10 s, so that the load window always includes runs of it (it reads every raw point).
    AGGREGATION_INTERVAL: '10',
  },
})
try {
  await waitHealthy([ERRORS, LOGS, METRICS, RELAY])
  const atStart = rssMiB(stack.pid!)
  await sleep(SETTLE_SECONDS * 1000)
  const idle = rssMiB(stack.pid!)
  const created = await fetch(`${RELAY}/api/dsn-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    // The relay's highest per-key limit: the load must measure memory, not be refused.
    body: JSON.stringify({ project: 'bench', rate_limit: 1_000_000 }),
  })
  if (!created.ok) throw new Error(`creating a DSN key: ${created.status} ${await created.text()}`)
  const { public_key: dsn } = (await created.json()) as { public_key: string }
  const loaded = await sustainedLoad(stack, dsn)
  console.log(
    `bare node:http idle ${bare.toFixed(1)} MiB; stack right after start ${atStart.toFixed(1)} MiB, after ${SETTLE_SECONDS} s idle ${idle.toFixed(1)} MiB; ` +
      `peak under load ${loaded.peak.toFixed(1)} MiB (${fmt(loaded.requests)} requests in ${LOAD_SECONDS} s)`,
  )
  report([
    {
      measure: `standalone stack idle (${SETTLE_SECONDS} s after start; right after start)`,
      result: `${idle.toFixed(1)} MiB (${atStart.toFixed(1)} MiB)`,
      baseline: `bare node:http ${bare.toFixed(1)} MiB: ×${(idle / bare).toFixed(2)}`,
      budget: '≤ 80 MiB',
      met: idle <= 80,
    },
    {
      measure: `standalone stack under ${LOAD_SECONDS} s of errors + metrics + logs + relay ingest (16 connections)`,
      result: `peak ${loaded.peak.toFixed(1)} MiB, ${fmt(loaded.requests / LOAD_SECONDS)} requests/s`,
      baseline: `bare node:http idle ${bare.toFixed(1)} MiB`,
      budget: '≤ 200 MiB',
      met: loaded.peak <= 200,
    },
  ])
} finally {
  stack.kill('SIGTERM')
  await new Promise((resolve) => stack.once('exit', resolve))
  rmSync(dataDir, { recursive: true, force: true })
}
