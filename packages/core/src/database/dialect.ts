import type { Kysely } from 'kysely'
import type { SqlDialect } from './create-database.js'

/**
 * Which SQL a host's Kysely instance speaks, for hosts that pass `db` without a dialect. Reads the adapter's
 * class name rather than `instanceof`, which fails when host and library load different copies of Kysely.
 */
export function detectDialect(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter.constructor.name.toLowerCase()
  if (adapter.includes('sqlite')) return 'sqlite'
  if (adapter.includes('postgres') || adapter.includes('pglite')) return 'postgres'
  throw new Error(`Unsupported Kysely dialect (${adapter}): Monlight stores run on SQLite and PostgreSQL`)
}
