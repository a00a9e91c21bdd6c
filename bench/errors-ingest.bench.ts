/**
 * Error ingest over HTTP: the errors module (SQLite file, one transaction per report) vs bare node:http answering
 * the same requests (key check, JSON parse, small JSON reply), 32 keep-alive connections, alternating rounds.
 * The mix: 1 report in 10 is a new error group, the rest repeat one of 200 known groups (increment + occurrence
 * + trim to the last five). Budget: ≥ 10,000 errors/s and ≥ 0.35 × bare node:http.
 */
import autocannon from 'autocannon'
import { errorReport, KNOWN_GROUPS, NEW_EVERY } from './bodies.js'
import { fmt, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const CONNECTIONS = 32

async function run(
  url: string,
  duration: number,
): Promise<{ rps: number; p99: number; bad: number; requests: number }> {
  const result = await autocannon({
    url: `${url}/api/errors`,
    connections: CONNECTIONS,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          request.body = errorReport()
          return request
        },
      },
    ],
  })
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bad: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  }
}

const servers = [
  { label: 'bare node:http', script: 'bare-node.ts', runs: [] as number[], cpuUs: [] as number[] },
  { label: '@monlight/errors', script: 'errors-ingest.ts', runs: [] as number[], cpuUs: [] as number[] },
].map((entry) => ({ ...entry, server: undefined as unknown as Awaited<ReturnType<typeof startServer>> }))
for (const entry of servers) entry.server = await startServer(entry.script)
try {
  for (const { server } of servers) await run(server.url, 2)
  for (let round = 0; round < ROUNDS; round++) {
    for (const { server, runs, cpuUs } of servers) {
      const cpuBefore = server.cpuSeconds()
      const result = await run(server.url, DURATION)
      if (result.bad > 0) throw new Error(`failed requests: ${JSON.stringify(result)}`)
      runs.push(result.rps)
      cpuUs.push(((server.cpuSeconds() - cpuBefore) / result.requests) * 1e6)
    }
  }
  const [bare, errors] = servers as [(typeof servers)[0], (typeof servers)[0]]
  const ratio = median(errors.runs) / median(bare.runs)
  const cpuRatio = median(bare.cpuUs) / median(errors.cpuUs)
  console.log(
    `mix: 1 new group in ${NEW_EVERY}, else one of ${KNOWN_GROUPS} groups; ${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections`,
  )
  for (const { label, server, runs, cpuUs } of servers) {
    console.log(
      `${label.padEnd(17)} ${fmt(median(runs)).padStart(7)} req/s  (${runs.map(fmt).join(' / ')})  ` +
        `${median(cpuUs).toFixed(1)} µs CPU/request  RSS ${fmt(server.rssMiB())} MiB`,
    )
  }
  report([
    {
      measure: `HTTP ingest, 1 new group in ${NEW_EVERY}, ${CONNECTIONS} connections`,
      result: `${fmt(median(errors.runs))} errors/s; ${median(errors.cpuUs).toFixed(0)} µs CPU per report`,
      baseline: `bare node:http ${fmt(median(bare.runs))} req/s: ×${ratio.toFixed(2)} (×${cpuRatio.toFixed(2)} by CPU)`,
      budget: '≥ 10,000 errors/s, ≥ ×0.35',
      met: median(errors.runs) >= 10_000 && ratio >= 0.35,
    },
  ])
} finally {
  for (const { server } of servers) server.stop()
}
