/**
 * Bare node:http vs the core HTTP kit answering the same authenticated 300-byte JSON POST with a 202.
 * h3 alone is shown for reference. Alternating rounds; the figure is the median kit req/s divided by the median
 * bare req/s (target ≥ 0.8).
 */
import { fmt, load, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const body = JSON.stringify({
  name: 'http_request_duration_seconds',
  type: 'histogram',
  value: 0.0421,
  labels: { method: 'POST', endpoint: '/api/users/:id', status: '201', region: 'eu-west-1' },
  project: 'bench',
  timestamp: '2026-11-25T10:00:00.000Z',
  note: 'x'.repeat(90),
})
const request = {
  method: 'POST' as const,
  body,
  headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
}

const servers = [
  { label: 'bare node:http', server: await startServer('bare-node.ts'), runs: [] as number[] },
  { label: 'h3 alone', server: await startServer('h3-plain.ts'), runs: [] as number[] },
  { label: 'core HTTP kit', server: await startServer('core-kit.ts'), runs: [] as number[] },
]
try {
  // Warm up (JIT), then alternate so drift on a shared machine hits every server alike.
  for (const { server } of servers) await load({ url: `${server.url}/api/ingest`, ...request, duration: 2 })
  for (let round = 0; round < ROUNDS; round++) {
    for (const { server, runs } of servers) {
      const result = await load({ url: `${server.url}/api/ingest`, ...request })
      if (result.errors > 0 || result.non2xx > 0)
        throw new Error(`failed requests: ${JSON.stringify(result)}`)
      runs.push(result.requestsPerSecond)
    }
  }
  const baseline = median(servers[0]!.runs)
  console.log(`body: ${Buffer.byteLength(body)} bytes, ${ROUNDS} rounds, 32 connections`)
  for (const { label, server, runs } of servers) {
    const ratio = (median(runs) / baseline).toFixed(2)
    console.log(
      `${label.padEnd(16)} ${fmt(median(runs)).padStart(7)} req/s  ×${ratio}  (${runs.map(fmt).join(' / ')})  RSS ${fmt(server.rssMiB())} MiB`,
    )
  }
  const kit = median(servers[2]!.runs)
  report([
    {
      measure: `authenticated ${Buffer.byteLength(body)}-byte JSON POST → 202, 32 connections`,
      result: `core HTTP kit ${fmt(kit)} req/s (h3 alone ×${(median(servers[1]!.runs) / baseline).toFixed(2)})`,
      baseline: `bare node:http ${fmt(baseline)} req/s: ×${(kit / baseline).toFixed(2)}`,
      budget: '≥ ×0.80',
      met: kit / baseline >= 0.8,
    },
  ])
} finally {
  for (const { server } of servers) server.stop()
}
