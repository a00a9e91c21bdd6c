import { createDefaultPartition, ensurePartitions, type Migration } from '@monlight/core'
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'
import { entryOf } from '../service/collections.js'
import { mergeByBucket, metricRollupRows, toRollupRow } from '../service/rollup.js'
import { bucketStart, MINUTE_MS, type Resolution } from '../service/time.js'
import type { RollupRow } from '../store/store.js'
import { PARTITIONS_AHEAD_MS, RAW_PARTITIONS } from './partitions.js'
import type { SeriesTable } from './tables.js'

const id = (table: ReturnType<Kysely<any>['schema']['createTable']>, dialect: string) =>
  dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (column) => column.primaryKey())
    : table.addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())

/** A rollup's tier, bucket and figures: the same for series and whole-metric rollups. */
const rollupFigures = (table: CreateTableBuilder<any, any>) =>
  table
    .addColumn('resolution', 'varchar(10)', (column) => column.notNull())
    .addColumn('bucket', 'bigint', (column) => column.notNull())
    .addColumn('count', 'bigint', (column) => column.notNull())
    .addColumn('sum', 'double precision', (column) => column.notNull())
    .addColumn('min', 'double precision', (column) => column.notNull())
    .addColumn('max', 'double precision', (column) => column.notNull())
    .addColumn('last', 'double precision', (column) => column.notNull())
    .addColumn('last_ts', 'bigint', (column) => column.notNull())
    .addColumn('sketch', 'text')

/** This module's migrations, applied in name order by core's `migrate()`. */
export const migrations: Record<string, Migration> = {
  '0001_series_raw_rollups': {
    async up(db, { dialect }) {
      await id(db.schema.createTable('monlight_metrics_series'), dialect)
        .addColumn('series_key', 'varchar(40)', (column) => column.notNull().unique())
        .addColumn('name', 'varchar(200)', (column) => column.notNull())
        .addColumn('type', 'varchar(20)', (column) => column.notNull())
        .addColumn('project', 'varchar(100)', (column) => column.notNull().defaultTo(''))
        .addColumn('labels', 'text', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('total_count', 'bigint', (column) => column.notNull().defaultTo(0))
        .addColumn('total_sum', 'double precision', (column) => column.notNull().defaultTo(0))
        .addColumn('last_value', 'double precision')
        .addColumn('last_ts', 'bigint')
        .execute()
      await db.schema
        .createIndex('monlight_metrics_series_name')
        .on('monlight_metrics_series')
        .columns(['name', 'project'])
        .execute()

      await id(db.schema.createTable('monlight_metrics_raw'), dialect)
        .addColumn('series_id', 'bigint', (column) => column.notNull())
        .addColumn('ts', 'bigint', (column) => column.notNull())
        .addColumn('value', 'double precision', (column) => column.notNull())
        // Observations the row stands for: a histogram point pre-aggregated by a client carries several.
        .addColumn('count', 'integer', (column) => column.notNull().defaultTo(1))
        .addColumn('received_at', 'bigint', (column) => column.notNull())
        .execute()
      await db.schema
        .createIndex('monlight_metrics_raw_series_ts')
        .on('monlight_metrics_raw')
        .columns(['series_id', 'ts'])
        .execute()
      // SQLite finds new points by id (assigned in commit order by its single writer); PostgreSQL by arrival time.
      if (dialect === 'postgres') {
        await db.schema
          .createIndex('monlight_metrics_raw_received')
          .on('monlight_metrics_raw')
          .column('received_at')
          .execute()
      }

      await rollupFigures(
        db.schema
          .createTable('monlight_metrics_rollup')
          .addColumn('series_id', 'bigint', (column) => column.notNull()),
      )
        .addPrimaryKeyConstraint('monlight_metrics_rollup_pk', ['series_id', 'resolution', 'bucket'])
        .execute()
      await db.schema
        .createIndex('monlight_metrics_rollup_bucket')
        .on('monlight_metrics_rollup')
        .columns(['resolution', 'bucket'])
        .execute()

      await db.schema
        .createTable('monlight_metrics_state')
        .addColumn('key', 'varchar(100)', (column) => column.primaryKey())
        .addColumn('value', 'bigint', (column) => column.notNull())
        .execute()
    },
  },
  '0002_day_and_metric_rollups': {
    // Day rollups (from hours), for figures over long windows, and whole-metric rollups (each bucket merged over
    // all series of a name, type and project): a metric's unfiltered chart and the dashboard read one row per
    // bucket instead of one per series. Both are filled from the rollups already stored.
    async up(db) {
      await rollupFigures(
        db.schema
          .createTable('monlight_metrics_metric_rollup')
          .addColumn('name', 'varchar(200)', (column) => column.notNull())
          .addColumn('type', 'varchar(20)', (column) => column.notNull())
          .addColumn('project', 'varchar(100)', (column) => column.notNull()),
      )
        // Reads ask for metric names, a tier and a time range: those lead the key.
        .addPrimaryKeyConstraint('monlight_metrics_metric_rollup_pk', [
          'name',
          'resolution',
          'bucket',
          'project',
          'type',
        ])
        .execute()
      await db.schema
        .createIndex('monlight_metrics_metric_rollup_bucket')
        .on('monlight_metrics_metric_rollup')
        .columns(['resolution', 'bucket'])
        .execute()
      await backfill(db)
    },
  },
  '0003_raw_chunks': {
    // Raw points stored per series and minute of each write rather than one row each: ingestion writes about
    // a sixth of the rows and index entries. Aggregation reads the same points back.
    async up(db, { dialect }) {
      await id(db.schema.createTable('monlight_metrics_raw_chunk'), dialect)
        .addColumn('series_id', 'bigint', (column) => column.notNull())
        .addColumn('minute', 'bigint', (column) => column.notNull())
        .addColumn('points', 'text', (column) => column.notNull())
        .addColumn('n', 'integer', (column) => column.notNull())
        .addColumn('received_at', 'bigint', (column) => column.notNull())
        .execute()
      await db.schema
        .createIndex('monlight_metrics_raw_chunk_series_minute')
        .on('monlight_metrics_raw_chunk')
        .columns(['series_id', 'minute'])
        .execute()
      // SQLite finds new points by id (assigned in commit order by its single writer); PostgreSQL by arrival time.
      if (dialect === 'postgres') {
        await db.schema
          .createIndex('monlight_metrics_raw_chunk_received')
          .on('monlight_metrics_raw_chunk')
          .column('received_at')
          .execute()
      }
      await chunkRawPoints(db, dialect)
      await db.schema.dropTable('monlight_metrics_raw').execute()
    },
  },
  '0004_histogram_buckets': {
    // Cumulative bucket counts of each histogram since it appeared, for the Prometheus exposition: kept by
    // aggregation, because buckets summed from rollups would shrink as retention drops old ones.
    async up(db) {
      await db.schema.alterTable('monlight_metrics_series').addColumn('bucket_counts', 'text').execute()
    },
  },
  '0005_partitioned_raw_chunks': {
    // PostgreSQL only: the chunk table becomes partitioned by arrival hour (see RAW_PARTITIONS). The key must
    // include the partition column; ids keep their sequence. Rows move through the default partition into the
    // hourly ones made here; anything older than those stays in the default one until retention deletes it.
    async up(db, { dialect }) {
      if (dialect !== 'postgres') return
      const old = 'monlight_metrics_raw_chunk_unpartitioned'
      await sql`alter table monlight_metrics_raw_chunk rename to ${sql.id(old)}`.execute(db)
      await sql`alter table ${sql.id(old)} rename constraint monlight_metrics_raw_chunk_pkey to ${sql.id(`${old}_pkey`)}`.execute(
        db,
      )
      await sql`drop index monlight_metrics_raw_chunk_series_minute`.execute(db)
      await sql`drop index monlight_metrics_raw_chunk_received`.execute(db)
      await sql`create table monlight_metrics_raw_chunk (
        id bigint not null default nextval('monlight_metrics_raw_chunk_id_seq'),
        series_id bigint not null,
        minute bigint not null,
        points text not null,
        n integer not null,
        received_at bigint not null,
        primary key (id, received_at)
      ) partition by range (received_at)`.execute(db)
      await sql`alter sequence monlight_metrics_raw_chunk_id_seq owned by monlight_metrics_raw_chunk.id`.execute(
        db,
      )
      await sql`create index monlight_metrics_raw_chunk_series_minute on monlight_metrics_raw_chunk (series_id, minute)`.execute(
        db,
      )
      await sql`create index monlight_metrics_raw_chunk_received on monlight_metrics_raw_chunk (received_at)`.execute(
        db,
      )
      await createDefaultPartition(db, RAW_PARTITIONS)
      await sql`insert into monlight_metrics_raw_chunk select * from ${sql.id(old)}`.execute(db)
      await sql`drop table ${sql.id(old)}`.execute(db)
      const oldest = await sql<{
        at: string | null
      }>`select min(received_at) as at from monlight_metrics_raw_chunk`.execute(db)
      const now = Date.now()
      // Hours back to the oldest chunk (raw data lives hours, not days; a day at most), then ahead.
      const from = Math.max(Number(oldest.rows[0]?.at ?? now), now - 24 * 3_600_000)
      await ensurePartitions(db, RAW_PARTITIONS, from, now + PARTITIONS_AHEAD_MS)
    },
  },
}

/**
 * Raw rows of one point each, regrouped as chunks of one series, minute and write (raw data lives about an hour).
 * SQLite tells new points by id: each chunk takes the id of its newest row, and the sequence continues after the
 * old table's, so aggregation's watermark keeps its meaning.
 */
async function chunkRawPoints(db: Kysely<any>, dialect: string) {
  // A chunk lies wholly on one side of the watermark, or its points would be aggregated again.
  const state = await db
    .selectFrom('monlight_metrics_state')
    .select('value')
    .where('key', '=', 'aggregated_through')
    .executeTakeFirst()
  const watermark = dialect === 'sqlite' ? Number(state?.value ?? 0) : Number.POSITIVE_INFINITY
  for (let after = 0; ; ) {
    // A page at a time: an hour of raw points can be millions of rows.
    const rows = await db
      .selectFrom('monlight_metrics_raw')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(50_000)
      .execute()
    if (rows.length === 0) break
    after = Number(rows.at(-1)!.id)
    const chunks = new Map<
      string,
      { id: number; series_id: number; minute: number; points: number[]; received_at: number }
    >()
    for (const row of rows) {
      const ts = Number(row.ts)
      const minute = ts - (ts % MINUTE_MS)
      const receivedAt = Number(row.received_at)
      const read = Number(row.id) <= watermark
      const chunk = entryOf(chunks, `${row.series_id}:${minute}:${receivedAt}:${read}`, () => ({
        id: 0,
        series_id: Number(row.series_id),
        minute,
        points: [],
        received_at: receivedAt,
      }))
      chunk.id = Number(row.id)
      chunk.points.push(ts, Number(row.value), Number(row.count))
    }
    const values = [...chunks.values()].map(({ id, points, ...chunk }) => ({
      ...chunk,
      ...(dialect === 'sqlite' ? { id } : {}),
      points: JSON.stringify(points),
      n: points.length / 3,
    }))
    for (let i = 0; i < values.length; i += CHUNK)
      await db
        .insertInto('monlight_metrics_raw_chunk')
        .values(values.slice(i, i + CHUNK))
        .execute()
  }
  if (dialect === 'sqlite') {
    const { rows: last } = await sql<{ seq: number | null }>`select max(seq) as seq from sqlite_sequence
      where name in ('monlight_metrics_raw', 'monlight_metrics_raw_chunk')`.execute(db)
    if (last[0]?.seq != null) {
      await sql`delete from sqlite_sequence where name = 'monlight_metrics_raw_chunk'`.execute(db)
      await sql`insert into sqlite_sequence (name, seq) values ('monlight_metrics_raw_chunk', ${last[0].seq})`.execute(
        db,
      )
    }
  }
}

/** Day rollups of the stored hours, then whole-metric rollups of minutes and hours, one metric at a time. */
async function backfill(db: Kysely<any>) {
  const series = await db
    .selectFrom('monlight_metrics_series')
    .select(['id', 'name', 'type', 'project'])
    .execute()
  const metrics = new Map<
    string,
    { name: string; type: SeriesTable['type']; project: string; ids: number[] }
  >()
  for (const { id, name, type, project } of series) {
    const key = JSON.stringify([name, type, project])
    entryOf(metrics, key, () => ({ name, type, project, ids: [] })).ids.push(Number(id))
  }
  const insert = async (table: string, rows: readonly object[]) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      await db
        .insertInto(table)
        .values(rows.slice(i, i + CHUNK))
        .execute()
  }
  for (const { ids, ...metric } of metrics.values()) {
    const rows = {
      minute: await stored(db, ids, 'minute'),
      hour: await stored(db, ids, 'hour'),
      day: [] as RollupRow[],
    }
    const hoursBySeries = new Map<number, RollupRow[]>()
    for (const row of rows.hour) entryOf(hoursBySeries, row.series_id, () => []).push(row)
    for (const [id, hours] of hoursBySeries) {
      const days = hours.map((row) => ({ ...row, bucket: bucketStart(row.bucket, 'day') }))
      for (const [bucket, stats] of mergeByBucket(days, metric.type === 'histogram'))
        rows.day.push(toRollupRow(id, 'day', bucket, stats))
    }
    await insert('monlight_metrics_rollup', rows.day)
    for (const resolution of ['minute', 'hour'] as const)
      await insert('monlight_metrics_metric_rollup', metricRollupRows(metric, resolution, rows[resolution]))
  }
}

async function stored(db: Kysely<any>, ids: readonly number[], resolution: Resolution): Promise<RollupRow[]> {
  const rows: RollupRow[] = []
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const row of await db
      .selectFrom('monlight_metrics_rollup')
      .selectAll()
      .where('series_id', 'in', ids.slice(i, i + CHUNK))
      .where('resolution', '=', resolution)
      .execute()) {
      rows.push({
        ...(row as RollupRow),
        series_id: Number(row.series_id),
        bucket: Number(row.bucket),
        count: Number(row.count),
        last_ts: Number(row.last_ts),
      })
    }
  }
  return rows
}

const CHUNK = 500
