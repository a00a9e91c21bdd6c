import { listPartitions, migrate } from '@monlight/core'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import { createHarness, type Harness, point, T0 } from '../__fixtures__/harness.js'
import { createMetrics } from '../index.js'
import { migrations } from '../schema/migrations.js'
import { RAW_PARTITIONS } from '../schema/partitions.js'

const HOUR = 3_600_000
const MINUTE = 60_000

// PostgreSQL keeps raw chunks in hourly partitions of arrival time; retention drops whole partitions.
describeDialects('raw chunk partitions', (dialect) => {
  const postgres = dialect !== 'sqlite'
  let harness: Harness | undefined
  let database: TestDatabase | undefined
  afterEach(async () => {
    await harness?.close()
    await database?.destroy()
    harness = database = undefined
  })

  const rowsIn = async (db: TestDatabase['db'], table: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.id(table)}`.execute(db)).rows[0]!.n)
  const total = async (h: Harness, period: string) => {
    const result = await h.service.query({ name: 'p_latency', period, resolution: 'minute' })
    return result.data.reduce((sum, bucket) => sum + bucket.count, 0)
  }

  it.skipIf(!postgres)(
    'drops whole hours once read and past retention; the rollups keep the data',
    async () => {
      harness = await createHarness(dialect)
      const { db } = harness.database
      await harness.service.applyRetention() // the retention job at T0 makes the partitions from this hour on
      expect((await listPartitions(db, RAW_PARTITIONS)).map((p) => p.from)).toEqual(
        expect.arrayContaining([T0, T0 + HOUR, T0 + 2 * HOUR]),
      )
      harness.clock.now = T0 + 5 * MINUTE
      await harness.service.ingest(Array.from({ length: 100 }, (_, i) => point('p_latency', i)))
      await harness.service.flush()
      expect(await rowsIn(db, `monlight_metrics_raw_chunk_p${T0}`)).toBeGreaterThan(0)
      expect(await rowsIn(db, 'monlight_metrics_raw_chunk_default')).toBe(0)

      harness.clock.now = T0 + 3 * HOUR
      await harness.service.aggregate()
      const deleted = await harness.service.applyRetention()
      expect(deleted.raw).toBe(100)
      const left = await listPartitions(db, RAW_PARTITIONS)
      expect(left.map((p) => p.from)).not.toContain(T0)
      expect(left.at(-1)!.to).toBeGreaterThanOrEqual(T0 + 6 * HOUR) // made ahead again
      expect(await rowsIn(db, 'monlight_metrics_raw_chunk')).toBe(0)
      expect(await total(harness, '6h')).toBe(100)
    },
  )

  it.skipIf(!postgres)(
    'rows that arrive before their hour has a partition wait in the default one and move in',
    async () => {
      harness = await createHarness(dialect)
      const { db } = harness.database
      harness.clock.now = T0 + 10 * 24 * HOUR + 7 * MINUTE
      const hour = T0 + 10 * 24 * HOUR
      await harness.service.ingest(Array.from({ length: 50 }, (_, i) => point('p_latency', i)))
      await harness.service.flush()
      const waiting = await rowsIn(db, 'monlight_metrics_raw_chunk_default')
      expect(waiting).toBeGreaterThan(0)

      await harness.service.applyRetention()
      expect(await rowsIn(db, 'monlight_metrics_raw_chunk_default')).toBe(0)
      expect(await rowsIn(db, `monlight_metrics_raw_chunk_p${hour}`)).toBe(waiting)
      harness.clock.now += 5 * MINUTE
      await harness.service.aggregate()
      expect(await total(harness, '1h')).toBe(50)
    },
  )

  it.skipIf(!postgres)(
    'the migration keeps the chunks of an unpartitioned table, and their id sequence',
    async () => {
      database = await createTestDatabase(dialect)
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0005'))
      await migrate(database.db, { module: 'metrics', migrations: before, dialect: 'postgres' })
      const old = createMetrics({ database, apiKeys: ['k'] })
      await old.service!.ingest(
        Array.from({ length: 30 }, (_, i) => point('p_latency', i, { labels: { i: `${i}` } })),
      )
      await old.service!.flush()
      const ids = async () =>
        (await database!.db.selectFrom('monlight_metrics_raw_chunk').select('id').execute()).map((r) =>
          Number(r.id),
        )
      const kept = await ids()
      expect(kept.length).toBeGreaterThan(0)

      await migrate(database.db, { module: 'metrics', migrations, dialect: 'postgres' })
      const partitioned =
        await sql`select 1 from pg_partitioned_table where partrelid = to_regclass('monlight_metrics_raw_chunk')`.execute(
          database.db,
        )
      expect(partitioned.rows).toHaveLength(1)
      expect((await ids()).sort((a, b) => a - b)).toEqual(kept.sort((a, b) => a - b))
      const fresh = createMetrics({ database, apiKeys: ['k'] })
      await fresh.service!.ingest([point('p_latency', 1, { labels: { i: 'new' } })])
      await fresh.service!.flush()
      expect(Math.max(...(await ids()))).toBeGreaterThan(Math.max(...kept))
    },
  )

  it.skipIf(postgres)('SQLite keeps one table and deletes by row', async () => {
    harness = await createHarness(dialect)
    harness.clock.now = T0 + 5 * MINUTE
    await harness.service.ingest(Array.from({ length: 20 }, (_, i) => point('p_latency', i)))
    await harness.service.flush()
    harness.clock.now = T0 + 3 * HOUR
    await harness.service.aggregate()
    expect((await harness.service.applyRetention()).raw).toBe(20)
    expect(await total(harness, '6h')).toBe(20)
  })
})
