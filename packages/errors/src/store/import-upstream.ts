import { type Database, MonlightConfigError, type UpstreamRows, upstreamTime } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import { type ErrorsTables, GROUP_TABLE, OCCURRENCE_TABLE } from '../schema/tables.js'

const SLOTS = 5

/**
 * Copies the original error tracker's `errors` and `error_occurrences` (errors.db) into an empty errors module,
 * keeping each group's id (links in old alerts still work) and fingerprint (new reports join their old group).
 */
export async function importUpstreamErrors(
  database: Database,
  source: UpstreamRows,
  now = Date.now(),
): Promise<{ groups: number; occurrences: number }> {
  const db = database.db as Kysely<ErrorsTables>
  const existing = await db
    .selectFrom(GROUP_TABLE)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  if (Number(existing?.n ?? 0) > 0) {
    throw new MonlightConfigError(
      'the error tracker already has errors: import into a fresh data dir or database',
    )
  }
  const groups = source.all('select * from errors order by id')
  const occurrences = source.all('select * from error_occurrences order by error_id, id')
  const byGroup = new Map<number, Record<string, unknown>[]>()
  for (const row of occurrences) {
    const id = Number(row.error_id)
    byGroup.set(id, [...(byGroup.get(id) ?? []), row])
  }

  await db.transaction().execute(async (trx) => {
    for (const group of groups) {
      const id = Number(group.id)
      const count = Number(group.count ?? 1)
      const rows = byGroup.get(id) ?? []
      await trx
        .insertInto(GROUP_TABLE)
        .values({
          id,
          fingerprint: String(group.fingerprint),
          project: String(group.project),
          exception_type: String(group.exception_type),
          message: String(group.message ?? ''),
          traceback: String(group.traceback ?? ''),
          count,
          first_seen: upstreamTime(group.first_seen, now),
          last_seen: upstreamTime(group.last_seen, now),
          resolved: Number(group.resolved) ? 1 : 0,
          resolved_at: group.resolved_at ? upstreamTime(group.resolved_at, now) : null,
          browser: rows.some((row) => row.request_method === 'BROWSER') ? 1 : 0,
          muted: 0,
        })
        .execute()
      // The newest five, numbered as if they were the group's last reports: the ring then continues from them.
      const kept = rows.slice(-SLOTS)
      for (const [index, row] of kept.entries()) {
        const seq = Math.max(index + 1, count - (kept.length - 1 - index))
        await trx
          .insertInto(OCCURRENCE_TABLE)
          .values({
            group_id: id,
            slot: (seq - 1) % SLOTS,
            seq,
            timestamp: upstreamTime(row.timestamp, now),
            traceback: String(row.traceback ?? ''),
            request_url: text(row.request_url),
            request_method: text(row.request_method),
            request_headers: text(row.request_headers),
            user_id: text(row.user_id),
            extra: text(row.extra),
            environment: null,
          })
          .execute()
      }
    }
    // PostgreSQL's id sequence does not move for explicit ids (SQLite's AUTOINCREMENT does).
    if (database.dialect === 'postgres' && groups.length > 0) {
      await sql`select setval(pg_get_serial_sequence(${GROUP_TABLE}, 'id'), (select max(id) from ${sql.table(GROUP_TABLE)}))`.execute(
        trx,
      )
    }
  })
  return { groups: groups.length, occurrences: occurrences.length }
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}
