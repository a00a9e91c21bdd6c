import type { Migration } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import { DSN_KEY_TABLE, PROJECT_TABLE, SOURCE_MAP_TABLE } from './tables.js'

/** This module's migrations, applied in name order by core's `migrate({ module: 'relay' })`. */
export const migrations: Record<string, Migration> = {
  '0001_create_tables': {
    async up(db: Kysely<any>, { dialect }) {
      const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`bigserial primary key`
      await sql`create table ${sql.table(DSN_KEY_TABLE)} (
        id ${id},
        public_key varchar(64) not null unique,
        project varchar(100) not null,
        active integer not null default 1,
        created_at varchar(20) not null,
        allowed_origins text not null default '[]',
        rate_limit integer
      )`.execute(db)
      await sql`create table ${sql.table(SOURCE_MAP_TABLE)} (
        id ${id},
        project varchar(100) not null,
        release varchar(100) not null,
        file_url varchar(500) not null,
        map_content text not null,
        size integer not null,
        uploaded_at varchar(20) not null,
        unique (project, release, file_url)
      )`.execute(db)
      await sql`create index monlight_relay_source_maps_uploaded on ${sql.table(SOURCE_MAP_TABLE)} (uploaded_at)`.execute(
        db,
      )
    },
  },
  // Numeric project ids for Sentry DSNs, numbered in the order the projects' first keys were made.
  '0002_projects': {
    async up(db: Kysely<any>, { dialect }) {
      const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`bigserial primary key`
      await sql`create table ${sql.table(PROJECT_TABLE)} (
        id ${id},
        name varchar(100) not null unique
      )`.execute(db)
      await sql`insert into ${sql.table(PROJECT_TABLE)} (name)
        select project from ${sql.table(DSN_KEY_TABLE)} group by project order by min(id)`.execute(db)
    },
  },
}
