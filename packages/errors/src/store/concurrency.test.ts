import { createTestDatabases, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterEach, expect, it } from 'vitest'
import { createErrors } from '../index.js'
import { GROUP_TABLE, HOUR_TABLE } from '../schema/tables.js'

const INSTANCES = 3
const WRITERS = 8
const REPORTS = 40
const GROUPS = 12

// Several instances of the module on one database, each with concurrent requests, reporting the same errors: on
// PostgreSQL every report must count once, in one group per error, with no failed write.
describeDialects('errors ingest under concurrent writers', (dialect) => {
  let databases: TestDatabase[] = []
  afterEach(() => Promise.all(databases.map((database) => database.destroy())))

  it('counts every report once, in one group per error', async () => {
    databases = await createTestDatabases(dialect, INSTANCES)
    const modules = databases.map((database) => createErrors({ database, apiKeys: ['k'] }))
    await modules[0]!.migrate()
    const failures: unknown[] = []
    await Promise.all(
      modules.flatMap((module, instance) =>
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let i = 0; i < REPORTS; i++) {
            const n = instance * 7 + writer * 3 + i
            await module
              .service!.ingest({
                project: 'shop',
                exception_type: `Error${n % GROUPS}`,
                message: 'failed',
                traceback: `Traceback (most recent call last):\nError${n % GROUPS}: failed`,
                environment: n % 2 ? 'production' : 'staging',
              })
              .catch((error: unknown) => failures.push(error))
          }
        }),
      ),
    )
    expect(failures).toEqual([])
    const { db } = databases[0]!
    const groups = await db.selectFrom(GROUP_TABLE).select(['exception_type', 'count']).execute()
    expect(groups).toHaveLength(GROUPS)
    const sent = INSTANCES * WRITERS * REPORTS
    expect(groups.reduce((total, group) => total + Number(group.count), 0)).toBe(sent)
    const hours = await db
      .selectFrom(HOUR_TABLE)
      .select((eb) => eb.fn.sum<number>('count').as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(hours.n)).toBe(sent)
  }, 60_000)
})
