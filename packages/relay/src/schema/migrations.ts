import type { Migration } from '@monlight/core'
import { type Kysely, sql } from 'kysely'
import { BUNDLE_TABLE, CHUNK_TABLE, DSN_KEY_TABLE, PROJECT_TABLE, SOURCE_MAP_TABLE } from './tables.js'

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
  // Artifact bundles (sentry-cli, bundler plugins): maps found by debug ID, with or without a release. NULL
  // releases never collide in the (project, release, file_url) key, so builds without one keep a map each.
  '0003_artifact_bundles': {
    async up(db: Kysely<any>, { dialect }) {
      const maps = sql.table(SOURCE_MAP_TABLE)
      if (dialect === 'sqlite') {
        // SQLite cannot drop a NOT NULL: the table is rebuilt, ids kept.
        const next = sql.table(`${SOURCE_MAP_TABLE}_next`)
        await sql`create table ${next} (
          id integer primary key autoincrement,
          project varchar(100) not null,
          release varchar(100),
          file_url varchar(500) not null,
          debug_id varchar(36),
          map_content text not null,
          size integer not null,
          uploaded_at varchar(20) not null,
          unique (project, release, file_url)
        )`.execute(db)
        await sql`insert into ${next} (id, project, release, file_url, map_content, size, uploaded_at)
          select id, project, release, file_url, map_content, size, uploaded_at from ${maps}`.execute(db)
        await sql`drop table ${maps}`.execute(db)
        await sql`alter table ${next} rename to ${maps}`.execute(db)
        await sql`create index monlight_relay_source_maps_uploaded on ${maps} (uploaded_at)`.execute(db)
      } else {
        await sql`alter table ${maps} alter column release drop not null`.execute(db)
        await sql`alter table ${maps} add column debug_id varchar(36)`.execute(db)
      }
      await sql`create unique index monlight_relay_source_maps_debug_id on ${maps} (project, debug_id)`.execute(
        db,
      )
      const blob = dialect === 'sqlite' ? sql`blob` : sql`bytea`
      await sql`create table ${sql.table(CHUNK_TABLE)} (
        checksum char(40) primary key,
        content ${blob} not null,
        uploaded_at varchar(20) not null
      )`.execute(db)
      await sql`create table ${sql.table(BUNDLE_TABLE)} (
        checksum char(40) primary key,
        detail text not null,
        assembled_at varchar(20) not null
      )`.execute(db)
    },
  },
}
