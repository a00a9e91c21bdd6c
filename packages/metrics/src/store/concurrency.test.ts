import type { MetricPoint, MonlightModule } from '@monlight/core'
import { createTestDatabases, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterEach, expect, it } from 'vitest'
import { point } from '../__fixtures__/harness.js'
import { createMetrics, type MetricsService } from '../index.js'

const INSTANCES = 3
const WRITERS = 6
const ROUNDS = 8

// Many concurrent batches over the same series, from several instances of the module on one database: on
// PostgreSQL, the write path that updated series rows in its join's order deadlocked here within a few rounds.
describeDialects('metrics ingest under concurrent writers', (dialect) => {
  let databases: TestDatabase[] = []
  afterEach(() => Promise.all(databases.map((database) => database.destroy())))

  it('stores every point once, with no failed write and no duplicate series', async () => {
    databases = await createTestDatabases(dialect, INSTANCES)
    const modules: MonlightModule<MetricsService>[] = databases.map((database) =>
      createMetrics({ database, apiKeys: ['k'] }),
    )
    await modules[0]!.migrate()
    const batch = (round: number, writer: number): MetricPoint[] =>
      Array.from({ length: 500 }, (_, i) =>
        // 40 series every writer shares, and 10 new ones each round that all writers create at once.
        i % 50 === 0
          ? point('jobs_total', 1, { type: 'counter', labels: { round: String(round), slot: String(i) } })
          : point('requests_total', 1, { type: 'counter', labels: { endpoint: `/e/${(i + writer) % 40}` } }),
      )
    const failures: unknown[] = []
    let sent = 0
    for (let round = 0; round < ROUNDS; round++) {
      const writes = modules.flatMap((module, instance) =>
        Array.from({ length: WRITERS }, (_, writer) => {
          const points = batch(round, instance * WRITERS + writer)
          sent += points.length
          return module.service!.ingest(points)
        }),
      )
      for (const result of await Promise.allSettled(writes)) {
        if (result.status === 'rejected') failures.push(result.reason)
      }
    }
    expect(failures).toEqual([])
    const { db } = databases[0]!
    const series = await db
      .selectFrom('monlight_metrics_series')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('total_count').as('total')])
      .executeTakeFirstOrThrow()
    expect(Number(series.n)).toBe(40 + ROUNDS * 10)
    expect(Number(series.total)).toBe(sent)
    const stored = await db
      .selectFrom('monlight_metrics_raw_chunk')
      .select((eb) => eb.fn.sum<number>('n').as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(sent)
  }, 60_000)
})
