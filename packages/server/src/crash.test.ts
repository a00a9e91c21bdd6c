/**
 * kill -9 under ingest: the `monlight` process dies while errors, log lines and metric points pour in, and
 * everything it acknowledged is stored, on SQLite after a restart on the same data dir, and on PostgreSQL with
 * three instances, one of them (the jobs leader) killed, while the others carry on and take over the jobs.
 */
import { createTestSchema, dropTestSchema, postgresUrl } from '@monlight/test-utils'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const KEY = 'crash-test-key'
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }
const LINES_PER_REQUEST = 20
const POINTS_PER_REQUEST = 10

/** What the killed server acknowledged, and what it may have stored without saying so (requests in flight). */
interface Ledger {
  errors: number
  lines: number
  points: number
  errorId?: number
  inFlight: number
  /** Requests answered with an error or cut: each may or may not have been stored. */
  failed: number
}

/** `workers` loops each posting an error report, a batch of lines and a batch of points, until `stop()`. */
function pourIn(servers: () => RunningCli[], workers: number) {
  const ledger: Ledger = { errors: 0, lines: 0, points: 0, inFlight: 0, failed: 0 }
  let stopped = false
  const post = async (path: string, body: unknown) => {
    const targets = servers()
    const server = targets[Math.floor(Math.random() * targets.length)]!
    ledger.inFlight++
    try {
      const response = await fetch(`${server.indexUrl}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
      if (response.ok) return response
      ledger.failed++
      await response.body?.cancel()
      return undefined
    } catch {
      ledger.failed++
      return undefined // connection reset by the kill: not acknowledged
    } finally {
      ledger.inFlight--
    }
  }
  const loop = async (worker: number) => {
    for (let round = 0; !stopped; round++) {
      const report = { project: 'crash', exception_type: 'CrashError', message: 'poured in', traceback: '' }
      const error = await post('errors/api/errors', report)
      if (error) {
        ledger.errors++
        ledger.errorId ??= ((await error.json()) as { id: number }).id
      }
      const lines = Array.from({ length: LINES_PER_REQUEST }, (_, i) => ({
        container: 'crash',
        message: `worker ${worker} round ${round} line ${i}`,
      }))
      if (await post('logs/api/logs', lines)) ledger.lines += LINES_PER_REQUEST
      const points = Array.from({ length: POINTS_PER_REQUEST }, () => ({
        name: 'crash_points_total',
        type: 'counter',
        value: 1,
      }))
      if (await post('metrics/api/metrics', points)) ledger.points += POINTS_PER_REQUEST
    }
  }
  const loops = Array.from({ length: workers }, (_, worker) => loop(worker))
  return {
    ledger,
    async stop() {
      stopped = true
      await Promise.all(loops)
      return ledger
    },
  }
}

const get = async <T>(server: RunningCli, path: string): Promise<T> => {
  const response = await fetch(`${server.indexUrl}${path}`, { headers })
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

/** What a server has stored of the poured-in data; points are counted once aggregation has rolled them up. */
async function stored(server: RunningCli, errorId: number) {
  const group = await get<{ count: number }>(server, `errors/api/errors/${errorId}`)
  // Only this test writes logs here (no log sources); the search API's total stops counting at a cap.
  const logs = await get<{ total_logs: number }>(server, 'logs/api/stats')
  const metric = await get<{ data: { count: number }[] }>(
    server,
    'metrics/api/metrics?name=crash_points_total&period=1h&resolution=minute',
  )
  return {
    errors: group.count,
    lines: logs.total_logs,
    points: metric.data.reduce((sum, bucket) => sum + bucket.count, 0),
  }
}

/** Stored counts are at least the acknowledged ones, and at most those plus every request cut by the kill. */
function expectNothingLost(actual: Awaited<ReturnType<typeof stored>>, acked: Ledger, cut: number) {
  expect(actual.errors).toBeGreaterThanOrEqual(acked.errors)
  expect(actual.errors).toBeLessThanOrEqual(acked.errors + cut)
  expect(actual.lines).toBeGreaterThanOrEqual(acked.lines)
  expect(actual.lines).toBeLessThanOrEqual(acked.lines + cut * LINES_PER_REQUEST)
  expect(actual.points).toBeGreaterThanOrEqual(acked.points)
  expect(actual.points).toBeLessThanOrEqual(acked.points + cut * POINTS_PER_REQUEST)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const env = (extra: Record<string, string> = {}) => ({
  API_KEY: KEY,
  AGGREGATION_INTERVAL: '1',
  LOG_SOURCES: tempDir('monlight-no-logs-'),
  ...extra,
})

afterEach(() => killAll())
afterAll(() => removeTempDirs())

describe('kill -9 under ingest', () => {
  it('SQLite: after a restart on the same data dir, everything acknowledged is there', async () => {
    const dataDir = tempDir()
    const first = await startCli(['--port', '0', '--data-dir', dataDir], { env: env() })
    const load = pourIn(() => [first], 6)
    await sleep(1500)
    const cut = load.ledger.inFlight
    await first.stop('SIGKILL')
    const acked = await load.stop()
    expect(acked.errors).toBeGreaterThan(20) // the load did run
    expect(acked.errorId).toBeDefined()

    const second = await startCli(['--port', '0', '--data-dir', dataDir], { env: env() })
    await expect
      .poll(async () => (await stored(second, acked.errorId!)).points, { timeout: 15_000, interval: 500 })
      .toBeGreaterThanOrEqual(acked.points)
    expectNothingLost(await stored(second, acked.errorId!), acked, cut)
    await second.stop()
  })

  describe.skipIf(!postgresUrl)('PostgreSQL, three instances on one schema', () => {
    const schemas: string[] = []
    afterAll(() => Promise.all(schemas.map((schema) => dropTestSchema(postgresUrl!, schema))))
    const freshSchema = async () => {
      const schema = await createTestSchema(postgresUrl!)
      schemas.push(schema)
      return schema
    }

    it('kills the leader: the others keep ingesting, one takes over the jobs, nothing acknowledged is lost', async () => {
      const schema = await freshSchema()
      const url = `${postgresUrl}${postgresUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
      const instances: RunningCli[] = []
      for (let i = 0; i < 3; i++)
        instances.push(
          await startCli(['--port', '0', '--data-dir', tempDir()], { env: env({ DATABASE_URL: url }) }),
        )
      // The one that leads the metrics jobs (aggregation) is killed.
      const leads = (server: RunningCli) =>
        /jobs:metrics.*leading: jobs run on this instance/.test(server.stderr())
      await expect.poll(() => instances.filter(leads).length, { timeout: 10_000 }).toBe(1)
      const leader = instances.find(leads)!
      const others = instances.filter((server) => server !== leader) as [RunningCli, RunningCli]
      let alive = instances
      const load = pourIn(() => alive, 6)
      await sleep(1500)
      alive = others
      const cut = load.ledger.inFlight
      await leader.stop('SIGKILL')
      const killedAt = Date.now()
      await sleep(1500) // the survivors alone
      const acked = await load.stop()
      expect(acked.errors).toBeGreaterThan(20)

      // Aggregation ran again after the kill: a survivor took the jobs (its lock check is every 5 s).
      await expect
        .poll(
          async () => {
            const health = await get<{ aggregated_at: string | null }>(others[0], 'metrics/health')
            return Date.parse(health.aggregated_at ?? '') > killedAt
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe(true)
      expect(others.filter(leads)).toHaveLength(1)
      await expect
        .poll(async () => (await stored(others[0], acked.errorId!)).points, {
          timeout: 15_000,
          interval: 500,
        })
        .toBeGreaterThanOrEqual(acked.points)
      expectNothingLost(await stored(others[1], acked.errorId!), acked, cut)
      for (const server of others) await server.stop()
    })

    it('survives its database connections being cut under load, and loses nothing it acknowledged', async () => {
      const schema = await freshSchema()
      const name = `monlight-cut-${schema}`
      const url = `${postgresUrl}${postgresUrl!.includes('?') ? '&' : '?'}application_name=${name}&options=${encodeURIComponent(`-c search_path=${schema}`)}`
      const server = await startCli(['--port', '0', '--data-dir', tempDir()], {
        env: env({ DATABASE_URL: url }),
      })
      const load = pourIn(() => [server], 6)
      // What a PostgreSQL restart or a network cut does to a client: every connection of this server, including
      // those inside transactions, the LISTEN one and the job locks, is terminated.
      const admin = new pg.Client({ connectionString: postgresUrl })
      await admin.connect()
      for (let cut = 0; cut < 3; cut++) {
        await sleep(700)
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [name],
        )
      }
      await admin.end()
      await sleep(1000)
      const acked = await load.stop()
      expect(server.child.exitCode, server.stderr().slice(-2000)).toBeNull()
      expect(acked.errors).toBeGreaterThan(20)
      await expect
        .poll(async () => (await stored(server, acked.errorId!)).points, { timeout: 15_000, interval: 500 })
        .toBeGreaterThanOrEqual(acked.points)
      expectNothingLost(await stored(server, acked.errorId!), acked, acked.failed)
      await server.stop()
    })
  })
})
