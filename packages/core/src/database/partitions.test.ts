import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import {
  createDefaultPartition,
  dropPartitionsBefore,
  ensurePartitions,
  listPartitions,
  type TimePartitioning,
} from './partitions.js'

const spec: TimePartitioning = { table: 'part_test', column: 'at', stepMs: 100 }

describeDialects('time partitions', (dialect) => {
  let database: TestDatabase | undefined
  afterEach(() => database?.destroy())

  const count = async (table: string) =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.id(table)}`.execute(database!.db)).rows[0]!.n,
    )

  it.skipIf(dialect === 'sqlite')(
    'makes ranges ahead, moves rows out of the default one, drops ended ranges',
    async () => {
      database = await createTestDatabase(dialect)
      const { db } = database
      await sql`create table part_test (id bigserial, at bigint not null, v integer not null, primary key (id, at)) partition by range (at)`.execute(
        db,
      )
      await createDefaultPartition(db, spec)
      await sql`insert into part_test (at, v) values (150, 1), (160, 2), (250, 3), (999, 4)`.execute(db)
      expect(await count('part_test_default')).toBe(4)

      expect(await ensurePartitions(db, spec, 120, 300)).toBe(2) // [100, 200) and [200, 300)
      expect(await ensurePartitions(db, spec, 120, 300)).toBe(0)
      expect((await listPartitions(db, spec)).map(({ from, to }) => [from, to])).toEqual([
        [100, 200],
        [200, 300],
      ])
      expect([
        await count('part_test_p100'),
        await count('part_test_p200'),
        await count('part_test_default'),
      ]).toEqual([2, 1, 1])
      await sql`insert into part_test (at, v) values (199, 5)`.execute(db)
      expect(await count('part_test_p100')).toBe(3)

      // Only ranges that have ended by the cutoff go; what they held is measured first.
      expect(await dropPartitionsBefore(db, spec, 250, sql`sum(v)`)).toEqual({ partitions: 1, held: 8 })
      expect((await listPartitions(db, spec)).map(({ from }) => from)).toEqual([200])
      expect(await count('part_test')).toBe(2)
    },
  )
})
