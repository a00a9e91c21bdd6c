import { createTestDatabases, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterEach, expect, it } from 'vitest'
import { createLogs } from '../index.js'

const INSTANCES = 3
const WRITERS = 6
const BATCHES = 5
const LINES = 200

// Several instances of the module on one database, each with concurrent batches: every line stored once under the
// id its write returned, no failed write.
describeDialects('logs ingest under concurrent writers', (dialect) => {
  let databases: TestDatabase[] = []
  afterEach(() => Promise.all(databases.map((database) => database.destroy())))

  it('stores every line once and returns its id', async () => {
    databases = await createTestDatabases(dialect, INSTANCES)
    const modules = databases.map((database) => createLogs({ database, apiKeys: false }))
    await modules[0]!.migrate()
    const returned = new Map<number, string>()
    await Promise.all(
      modules.flatMap((module, instance) =>
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let batch = 0; batch < BATCHES; batch++) {
            const lines = Array.from({ length: LINES }, (_, i) => ({
              container: `app-${instance}`,
              message: `line ${writer}/${batch}/${i}`,
            }))
            const result = await module.service!.write(lines)
            expect(result.count).toBe(LINES)
            for (const [i, id] of result.ids.entries()) returned.set(id, lines[i]!.message)
          }
        }),
      ),
    )
    const { db } = databases[0]!
    const rows = await db.selectFrom('monlight_logs_entry').select(['id', 'message']).execute()
    expect(rows).toHaveLength(INSTANCES * WRITERS * BATCHES * LINES)
    expect(returned.size).toBe(rows.length)
    for (const row of rows) expect(returned.get(Number(row.id))).toBe(row.message)
  }, 60_000)
})
