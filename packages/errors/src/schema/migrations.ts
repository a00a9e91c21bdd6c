import type { Migration } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import { ENVIRONMENT_TABLE, GROUP_TABLE, OCCURRENCE_TABLE } from './tables.js'

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
}
