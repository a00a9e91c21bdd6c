import { migrate } from '@monlight/core'
import { createTestDatabase } from '@monlight/test-utils'
import { expect, it } from 'vitest'
import { createLogs } from '../index.js'
import { migrations } from './migrations.js'

it('fills the hour → id map from the entries a 0002 database holds, fractional timestamps too', async () => {
  const database = await createTestDatabase('sqlite')
  try {
    const { '0003_hour_ids': _, ...before } = migrations
    await migrate(database.db, { module: 'logs', migrations: before, dialect: 'sqlite' })
    const at = Date.parse('2026-03-01T10:30:00Z')
    const entry = (timestamp: number, message: string) => ({
      timestamp,
      container: 'api',
      stream: 'stdout',
      level: 'INFO',
      message,
    })
    await database.db
      .insertInto('monlight_logs_entry')
      .values([entry(at, 'early request'), entry(at + 3_600_000 + 0.5, 'later request')])
      .execute()
    // 0002 kept the index by its write path; rebuild it for the rows inserted here.
    await database
      .sqlite!.prepare("insert into monlight_logs_entry_fts (monlight_logs_entry_fts) values ('rebuild')")
      .run()

    const logs = createLogs({ database, apiKeys: false })
    await logs.migrate()
    const found = await logs.service.query({
      search: 'request',
      since: new Date(at + 3_600_000).toISOString(),
      until: new Date(at + 2 * 3_600_000).toISOString(),
    })
    expect(found.logs.map((log) => log.message)).toEqual(['later request'])
  } finally {
    await database.destroy()
  }
})
