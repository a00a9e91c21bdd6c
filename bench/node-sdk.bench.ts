/**
 * The Node SDK's cost per request: an Express and a Hono app answering `GET /users/:id`, with and without
 * `setupMonlight` (request metrics buffered and flushed every second to a sink collector). Alternating rounds; the
 * figure is the throughput loss of each framework with Monlight (budget: ≤ 3 % Express, ≤ 5 % Hono).
 */
import { fmt, load, median, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BUDGET: Record<string, number> = { express: 0.03, hono: 0.05 }

const sink = await startServer('sink.ts')
try {
  for (const framework of ['express', 'hono']) {
    const variants = [
      {
        label: 'without',
        server: await startServer('node-sdk-app.ts', { FRAMEWORK: framework, MONLIGHT: 'off' }),
        runs: [] as number[],
      },
      {
        label: 'with Monlight',
        server: await startServer('node-sdk-app.ts', {
          FRAMEWORK: framework,
          MONLIGHT: 'on',
          COLLECTOR: sink.url,
        }),
        runs: [] as number[],
      },
    ]
    try {
      for (const { server } of variants) await load({ url: `${server.url}/users/42`, duration: 2 })
      for (let round = 0; round < ROUNDS; round++) {
        for (const { server, runs } of variants) {
          const result = await load({ url: `${server.url}/users/${round + 1}` })
          if (result.errors > 0 || result.non2xx > 0)
            throw new Error(`failed requests: ${JSON.stringify(result)}`)
          runs.push(result.requestsPerSecond)
        }
      }
      const [without, withMonlight] = variants.map(({ runs }) => median(runs)) as [number, number]
      for (const { label, runs, server } of variants) {
        console.log(
          `${framework.padEnd(8)} ${label.padEnd(14)} ${fmt(median(runs)).padStart(7)} req/s  (${runs.map(fmt).join(' / ')})  RSS ${fmt(server.rssMiB())} MiB`,
        )
      }
      const loss = 1 - withMonlight / without
      console.log(
        `${framework}: with/without ×${(withMonlight / without).toFixed(3)}, throughput loss ${(loss * 100).toFixed(1)} % (budget ≤ ${BUDGET[framework]! * 100} %)`,
      )
    } finally {
      for (const { server } of variants) server.stop()
    }
  }
} finally {
  // The apps flush once more on SIGTERM; let that land before the sink goes.
  await new Promise((resolve) => setTimeout(resolve, 500))
  sink.stop()
}
