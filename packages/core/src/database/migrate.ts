import { type Kysely, sql } from 'kysely'
import { type Logger, silentLogger } from '../logger.js'
import type { SqlDialect } from './create-database.js'

/** One migration. Same shape as Kysely's `Migration`, so a host can also merge ours into its own migrator. */
export interface Migration {
  up(db: Kysely<any>, context: MigrationContext): Promise<void>
  down?(db: Kysely<any>, context: MigrationContext): Promise<void>
}

export interface MigrationContext {
  dialect: SqlDialect
}

export interface MigrateOptions {
  /** Module name; its migrations are recorded in `monlight_<module>_migration`. */
  module: string
  /** Migrations by name, applied in name order: `0001_create_groups`, `0002_...`. */
  migrations: Readonly<Record<string, Migration>>
  dialect: SqlDialect
  logger?: Logger
}

export interface MigrateResult {
  /** Names applied by this call, in order; empty when the database was already up to date. */
  applied: string[]
}

/**
 * Applies a module's pending migrations, all in one transaction. Idempotent, and safe when several processes
 * start at once: SQLite takes the write lock up front (`BEGIN IMMEDIATE`, waiting out `busy_timeout`),
 * PostgreSQL a transaction-scoped advisory lock per module, so the second process sees the first one's work.
 */
export async function migrate(db: Kysely<any>, options: MigrateOptions): Promise<MigrateResult> {
  if (!/^[a-z][a-z0-9_]*$/.test(options.module)) {
    throw new Error(`Invalid module name '${options.module}': use lowercase letters, digits and _`)
  }
  const logger = options.logger ?? silentLogger
  const table = `monlight_${options.module}_migration`
  const context: MigrationContext = { dialect: options.dialect }

  const run = async (trx: Kysely<any>): Promise<string[]> => {
    await sql`create table if not exists ${sql.table(table)} (
      name varchar(255) primary key,
      applied_at varchar(32) not null
    )`.execute(trx)
    const rows = await trx.selectFrom(table).select('name').execute()
    const done = new Set(rows.map((row) => row.name as string))
    const unknown = [...done].filter((name) => !(name in options.migrations))
    if (unknown.length > 0) {
      logger.warn('database has migrations this version does not know (was it run by a newer Monlight?)', {
        module: options.module,
        unknown: unknown.join(','),
      })
    }
    const pending = Object.keys(options.migrations)
      .sort()
      .filter((name) => !done.has(name))
    for (const name of pending) {
      await options.migrations[name]!.up(trx, context)
      await trx.insertInto(table).values({ name, applied_at: new Date().toISOString() }).execute()
      logger.info('applied migration', { module: options.module, migration: name })
    }
    return pending
  }

  if (options.dialect === 'postgres') {
    const applied = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${lockKey(table)}::bigint)`.execute(trx)
      return run(trx)
    })
    return { applied }
  }

  // Kysely opens SQLite transactions DEFERRED; a second process would then fail on upgrading its read lock.
  // Holding the one connection, we begin IMMEDIATE ourselves.
  const applied = await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    try {
      const names = await run(connection)
      await sql`commit`.execute(connection)
      return names
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {})
      throw error
    }
  })
  return { applied }
}

/** A stable 31-bit key for a name (FNV-1a), for PostgreSQL advisory locks. */
export function lockKey(name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash & 0x7fffffff
}
