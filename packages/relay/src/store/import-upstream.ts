import { type Database, MonlightConfigError, type UpstreamRows, upstreamTime } from '@monlight/core'
import type { Kysely } from 'kysely'
import { DSN_KEY_TABLE, PROJECT_TABLE, type RelayTables, SOURCE_MAP_TABLE } from '../schema/tables.js'

/**
 * Copies the original relay's `dsn_keys` (public keys unchanged: deployed SDKs keep working) and `source_maps`
 * (browser-relay.db) into an empty relay module.
 */
export async function importUpstreamRelay(
  database: Database,
  source: UpstreamRows,
  now = Date.now(),
): Promise<{ keys: number; sourceMaps: number }> {
  const db = database.db as Kysely<RelayTables>
  const existing = await db
    .selectFrom(DSN_KEY_TABLE)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  if (Number(existing?.n ?? 0) > 0) {
    throw new MonlightConfigError('the relay already has DSN keys: import into a fresh data dir or database')
  }
  const iso = (value: unknown) => `${new Date(upstreamTime(value, now)).toISOString().slice(0, 19)}Z`
  const keys = source.all('select * from dsn_keys order by id')
  const maps = source.all('select * from source_maps order by id')
  await db.transaction().execute(async (trx) => {
    for (const key of keys) {
      // Projects are numbered in the order of their first key, as the migration numbers existing ones.
      await trx
        .insertInto(PROJECT_TABLE)
        .values({ name: String(key.project) })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute()
      await trx
        .insertInto(DSN_KEY_TABLE)
        .values({
          public_key: String(key.public_key),
          project: String(key.project),
          active: Number(key.active) ? 1 : 0,
          created_at: iso(key.created_at),
          allowed_origins: '[]',
          rate_limit: null,
        })
        .execute()
    }
    for (const map of maps) {
      const content = String(map.map_content)
      await trx
        .insertInto(SOURCE_MAP_TABLE)
        .values({
          project: String(map.project),
          release: String(map.release),
          file_url: String(map.file_url),
          map_content: content,
          size: Buffer.byteLength(content),
          uploaded_at: iso(map.uploaded_at),
        })
        .execute()
    }
  })
  return { keys: keys.length, sourceMaps: maps.length }
}
