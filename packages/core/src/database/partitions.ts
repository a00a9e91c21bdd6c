import { type Kysely, sql } from 'kysely'

/**
 * A PostgreSQL table partitioned by range over a bigint time column (epoch ms), one partition per `stepMs`, plus
 * a default partition for rows outside every range (a late backfill, or a time no partition was made for yet).
 * Retention drops whole partitions (constant time, no dead rows to vacuum) instead of deleting rows.
 */
export interface TimePartitioning {
  table: string
  column: string
  stepMs: number
}

/** The default partition's name: the rows no range partition holds. */
export const defaultPartition = (spec: TimePartitioning) => `${spec.table}_default`

const partitionName = (spec: TimePartitioning, start: number) => `${spec.table}_p${start}`

/** `create table … partition of … default`, for a migration that makes `spec.table` partitioned. */
export async function createDefaultPartition(db: Kysely<any>, spec: TimePartitioning): Promise<void> {
  await sql`create table if not exists ${sql.id(defaultPartition(spec))} partition of ${sql.id(spec.table)} default`.execute(
    db,
  )
}

/**
 * Makes sure a partition covers every step from `from` to `to`; returns how many it created. A range whose rows
 * already went to the default partition is built beside it and those rows moved in before it is attached, so
 * creating a partition late never fails on them.
 */
export async function ensurePartitions(
  db: Kysely<any>,
  spec: TimePartitioning,
  from: number,
  to: number,
): Promise<number> {
  const existing = new Set((await listPartitions(db, spec)).map((partition) => partition.from))
  let created = 0
  for (let start = Math.floor(from / spec.stepMs) * spec.stepMs; start < to; start += spec.stepMs) {
    if (existing.has(start)) continue
    await attachPartition(db, spec, start)
    created++
  }
  return created
}

async function attachPartition(db: Kysely<any>, spec: TimePartitioning, start: number): Promise<void> {
  const end = start + spec.stepMs
  const name = sql.id(partitionName(spec, start))
  const parent = sql.id(spec.table)
  const fallback = sql.id(defaultPartition(spec))
  const column = sql.id(spec.column)
  // The move and the attach commit together (a migration passes its own transaction in).
  const atomically = (work: (trx: Kysely<any>) => Promise<void>) =>
    db.isTransaction ? work(db) : db.transaction().execute(work)
  await atomically(async (trx) => {
    await sql`create table ${name} (like ${parent} including defaults)`.execute(trx)
    await sql`insert into ${name} select * from ${fallback} where ${column} >= ${start} and ${column} < ${end}`.execute(
      trx,
    )
    await sql`delete from ${fallback} where ${column} >= ${start} and ${column} < ${end}`.execute(trx)
    // Bounds are written as literals: DDL takes no parameters.
    await sql`alter table ${parent} attach partition ${name} for values from (${sql.lit(start)}) to (${sql.lit(end)})`.execute(
      trx,
    )
  })
}

/**
 * Drops the range partitions that end at or before `before`; returns how many, and what they held by `measure`
 * (rows, or a sum such as the points in metric chunks).
 */
export async function dropPartitionsBefore(
  db: Kysely<any>,
  spec: TimePartitioning,
  before: number,
  measure = sql`count(*)`,
): Promise<{ partitions: number; held: number }> {
  let partitions = 0
  let held = 0
  for (const partition of await listPartitions(db, spec)) {
    if (partition.to > before) continue
    const name = sql.id(partition.name)
    const result = await sql<{ held: string | null }>`select ${measure} as held from ${name}`.execute(db)
    await sql`drop table ${name}`.execute(db)
    partitions++
    held += Number(result.rows[0]?.held ?? 0)
  }
  return { partitions, held }
}

/** The range partitions of `spec.table` (the default one left out), oldest first. */
export async function listPartitions(
  db: Kysely<any>,
  spec: TimePartitioning,
): Promise<{ name: string; from: number; to: number }[]> {
  const result = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${spec.table})`.execute(db)
  return result.rows
    .flatMap((row) => {
      const bounds = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound)
      return bounds ? [{ name: row.name, from: Number(bounds[1]), to: Number(bounds[2]) }] : []
    })
    .sort((a, b) => a.from - b.from)
}
