import type { Migration } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import { ENVIRONMENT_TABLE, GROUP_TABLE, HOUR_TABLE, OCCURRENCE_TABLE, TAG_TABLE } from './tables.js'

/** This module's migrations, applied in name order by core's `migrate({ module: 'errors' })`. */
export const migrations: Record<string, Migration> = {
  '0001_create_groups': {
    async up(db: Kysely<any>, { dialect }) {
      // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT never reuses ids of deleted groups (links in old alerts).
      const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`bigserial primary key`
      await sql`create table ${sql.table(GROUP_TABLE)} (
        id ${id},
        fingerprint varchar(32) not null,
        project text not null,
        exception_type text not null,
        message text not null,
        traceback text not null,
        count integer not null default 1,
        first_seen bigint not null,
        last_seen bigint not null,
        resolved integer not null default 0,
        resolved_at bigint,
        browser integer not null default 0
      )`.execute(db)
      // The last five occurrences are a ring: slot = (seq - 1) % 5, overwritten in place. An ingest then touches
      // one occurrence row instead of inserting one and deleting the oldest (half the pages written per commit).
      await sql`create table ${sql.table(OCCURRENCE_TABLE)} (
        group_id bigint not null references ${sql.table(GROUP_TABLE)}(id) on delete cascade,
        slot integer not null,
        seq integer not null,
        timestamp bigint not null,
        traceback text not null,
        request_url text,
        request_method text,
        request_headers text,
        user_id text,
        extra text,
        environment text,
        primary key (group_id, slot)
      )`.execute(db)
      await sql`create table ${sql.table(ENVIRONMENT_TABLE)} (
        group_id bigint not null references ${sql.table(GROUP_TABLE)}(id) on delete cascade,
        environment text not null,
        primary key (group_id, environment)
      )`.execute(db)
      const index = (name: string, table: string, columns: string) =>
        sql`create index ${sql.id(name)} on ${sql.table(table)} (${sql.raw(columns)})`.execute(db)
      await index('monlight_errors_group_fingerprint', GROUP_TABLE, 'fingerprint, resolved, last_seen')
      await index('monlight_errors_group_last_seen', GROUP_TABLE, 'resolved, last_seen')
      await index('monlight_errors_group_project', GROUP_TABLE, 'project')
    },
  },
  // Sentry-grade events: level, releases, ignore state on groups; the event itself, its id and release on
  // occurrences; tag facets and hourly counts.
  '0002_sentry_events': {
    async up(db: Kysely<any>) {
      const addColumns = async (table: string, columns: string[]) => {
        for (const column of columns)
          await sql`alter table ${sql.table(table)} add column ${sql.raw(column)}`.execute(db)
      }
      await addColumns(GROUP_TABLE, [
        'level text',
        'platform text',
        'culprit text',
        'first_release text',
        'last_release text',
        'resolved_in_release text',
        'muted integer not null default 0',
        'muted_until bigint',
        'muted_until_count integer',
      ])
      await addColumns(OCCURRENCE_TABLE, ['event_id text', 'release text', 'level text', 'event text'])
      await sql`create table ${sql.table(TAG_TABLE)} (
        group_id bigint not null references ${sql.table(GROUP_TABLE)}(id) on delete cascade,
        key text not null,
        value text not null,
        count integer not null default 1,
        last_seen bigint not null,
        primary key (group_id, key, value)
      )`.execute(db)
      await sql`create table ${sql.table(HOUR_TABLE)} (
        group_id bigint not null references ${sql.table(GROUP_TABLE)}(id) on delete cascade,
        hour integer not null,
        count integer not null default 1,
        primary key (group_id, hour)
      )`.execute(db)
      const index = (name: string, table: string, columns: string) =>
        sql`create index ${sql.id(name)} on ${sql.table(table)} (${sql.raw(columns)})`.execute(db)
      // Partial: upstream reports have no event id, and their ring updates then skip this index.
      await sql`create index monlight_errors_occurrence_event_id on ${sql.table(OCCURRENCE_TABLE)} (event_id) where event_id is not null`.execute(
        db,
      )
      await index('monlight_errors_tag_key_value', TAG_TABLE, 'key, value')
      await index('monlight_errors_group_first_seen', GROUP_TABLE, 'resolved, first_seen')
      // No index on count: every report changes it, and sorting the few open groups by count needs none.
    },
  },
}
