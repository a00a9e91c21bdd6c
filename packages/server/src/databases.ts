import { join, resolve } from 'node:path'
import {
  createDatabase,
  type Database,
  type DatabaseOptions,
  MonlightConfigError,
  parseDatabaseUrl,
} from '@monlight/core'
import { sql } from 'kysely'
import { redactUrl } from './config.js'
import type { ModuleSlot } from './modules.js'

/** The open databases of a set of modules. */
export interface ModuleDatabases {
  /** The database of module `name`. */
  get(name: string): Database
  /** `true` when every module uses one database (a `postgres://` URL). */
  readonly shared: boolean
  /** Closes each database once. */
  close(): Promise<void>
}

/**
 * Opens one SQLite file per module in `dataDir` (created if missing), or, given a database URL, one database
 * that every module shares.
 */
export async function openDatabases(
  config: { dataDir: string; databaseUrl?: string | undefined },
  slots: readonly ModuleSlot[],
): Promise<ModuleDatabases> {
  if (config.databaseUrl) {
    const database = await openDatabase(sharedPool(config.databaseUrl))
    return { get: () => database, shared: true, close: () => database.destroy() }
  }

  const opened = new Map<string, Database>()
  const close = async () => {
    await Promise.allSettled([...opened.values()].map((database) => database.destroy()))
  }
  try {
    for (const slot of slots) {
      opened.set(slot.name, await openDatabase({ sqlite: sqlitePath(config.dataDir, slot) }))
    }
  } catch (error) {
    await close()
    throw error
  }
  return {
    get: (name) => opened.get(name) ?? unknownModule(name),
    shared: false,
    close,
  }
}

/**
 * The modules share one pool. On the instance that leads, each module's job lock keeps a connection and the live
 * tail's LISTEN one more (5 in all), so the pool has that many on top of the 10 for requests.
 */
const SHARED_POOL_SIZE = 15

function sharedPool(url: string): DatabaseOptions {
  const options = parseDatabaseUrl(url)
  return 'postgres' in options ? { ...options, max: SHARED_POOL_SIZE } : options
}

/** Where a module's SQLite file lives. */
export function sqlitePath(dataDir: string, slot: Pick<ModuleSlot, 'file'>): string {
  return join(resolve(dataDir), slot.file)
}

/**
 * Opens a database and runs one query: a wrong URL or a stopped server shows up now rather than at the first
 * request.
 */
export async function openDatabase(target: string | DatabaseOptions): Promise<Database> {
  const database = await createDatabase(target)
  try {
    await sql`select 1`.execute(database.db)
  } catch (error) {
    await database.destroy().catch(() => {})
    const url = typeof target === 'string' ? target : 'postgres' in target ? target.postgres : undefined
    const where = database.path ?? (typeof url === 'string' ? redactUrl(url) : 'the configured database')
    throw new MonlightConfigError(`Cannot use the database at ${where}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return database
}

function unknownModule(name: string): never {
  throw new Error(`No database was opened for module '${name}'`)
}
