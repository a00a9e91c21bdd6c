/**
 * The Node SDK's cost per request: an Express and a Hono app answering `GET /users/:id`, with and without
 * `setupMonlight` (request metrics buffered and flushed every second to a sink collector), rounds in ABBA order.
 * The figure is the throughput loss with Monlight (budget: ≤ 3 % Express, ≤ 5 % Hono): the median of each
 * round's with/without ratio, by req/s and, steadier on a shared machine, by the app's CPU time per request.
 */
import { type BenchRow, fmt, load, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const BUDGET: Record<string, number> = { express: 0.03, hono: 0.05 }

const rows: BenchRow[] = []
const sink = await startServer('sink.ts')
try {
  for (const framework of ['express', 'hono']) {
    const variants = [
      { label: 'without', env: { FRAMEWORK: framework, MONLIGHT: 'off' } },
      { label: 'with Monlight', env: { FRAMEWORK: framework, MONLIGHT: 'on', COLLECTOR: sink.url } },
    ]
    const servers = await Promise.all(
      variants.map(async (variant) => ({
        ...variant,
        server: await startServer('node-sdk-app.ts', variant.env),
        runs: [] as number[],
        cpuUs: [] as number[],
      })),
    )
    try {
      for (const { server } of servers) await load({ url: `${server.url}/users/42`, duration: 2 })
      for (let round = 0; round < ROUNDS; round++) {
        // ABBA order: drift on a shared machine hits both variants alike.
        for (const { server, runs, cpuUs } of round % 2 ? [...servers].reverse() : servers) {
          const cpuBefore = server.cpuSeconds()
          const result = await load({ url: `${server.url}/users/${round + 1}` })
          if (result.errors > 0 || result.non2xx > 0)
            throw new Error(`failed requests: ${JSON.stringify(result)}`)
          runs.push(result.requestsPerSecond)
          cpuUs.push(((server.cpuSeconds() - cpuBefore) / result.requests) * 1e6)
        }
      }
      for (const { label, runs, cpuUs, server } of servers) {
        console.log(
          `${framework.padEnd(8)} ${label.padEnd(14)} ${fmt(median(runs)).padStart(7)} req/s  (${runs.map(fmt).join(' / ')})  ${median(cpuUs).toFixed(1)} µs CPU/request  RSS ${fmt(server.rssMiB())} MiB`,
        )
      }
      const [without, withMonlight] = servers as [(typeof servers)[0], (typeof servers)[0]]
      // The ratio of each round's pair (measured seconds apart), then the median of those: steadier than the
      // ratio of two medians when the machine's speed drifts between rounds.
      const paired = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!))
      const rpsRatio = paired(withMonlight.runs, without.runs)
      const cpuRatio = paired(without.cpuUs, withMonlight.cpuUs)
      const budget = BUDGET[framework]!
      rows.push({
        measure: `${framework} app answering GET /users/:id with setupMonlight (${ROUNDS} paired rounds)`,
        result: `×${rpsRatio.toFixed(3)} throughput (loss ${((1 - rpsRatio) * 100).toFixed(1)} %); ×${cpuRatio.toFixed(3)} by CPU per request (loss ${((1 - cpuRatio) * 100).toFixed(1)} %)`,
        baseline: `${framework} alone ${fmt(median(without.runs))} req/s, ${median(without.cpuUs).toFixed(1)} µs CPU/request`,
        budget: `loss ≤ ${budget * 100} %`,
        met: 1 - rpsRatio <= budget,
      })
    } finally {
      for (const { server } of servers) server.stop()
    }
  }
} finally {
  // The apps flush once more on SIGTERM; let that land before the sink goes.
  await new Promise((resolve) => setTimeout(resolve, 500))
  sink.stop()
}
report(rows)
