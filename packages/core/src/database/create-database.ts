import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { MonlightConfigError } from '../errors.js'
import { createPGliteDialect, type PGliteLike } from './pglite-dialect.js'

export type SqlDialect = 'sqlite' | 'postgres'
export type DatabaseDriver = 'better-sqlite3' | 'pg' | 'pglite'

/** A better-sqlite3 prepared statement, as far as Monlight uses it. */
export interface SqliteStatement {
  /** Whether it returns rows. */
  readonly reader: boolean
  run(...params: unknown[]): { lastInsertRowid: number | bigint; changes: number }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): any[]
  /** Rows as arrays of column values: about half the cost of row objects. */
  raw(toggle?: boolean): SqliteStatement
  /** Rows as their first column's value alone. */
  pluck(toggle?: boolean): SqliteStatement
}

/**
 * The better-sqlite3 handle, as far as Monlight uses it (structural: no dependency on its types). Modules use it
 * for their hot paths: prepared statements without Kysely's per-query compilation, synchronous transactions.
 */
export interface SqliteHandle {
  readonly inTransaction: boolean
  prepare(source: string): SqliteStatement
  transaction<A extends unknown[], R>(
    fn: (...args: A) => R,
  ): ((...args: A) => R) & { immediate(...args: A): R }
  pragma(source: string, options?: { simple?: boolean }): unknown
  backup(destination: string): Promise<unknown>
  close(): void
  readonly name: string
  readonly open: boolean
}

/** A pg client, as far as LISTEN/NOTIFY, leadership and prepared hot paths use it. */
export interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>
  /** A named statement: PostgreSQL parses and plans it once per connection. */
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }>
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  release(destroy?: boolean): void
}

/** A pg Pool, as far as Monlight uses it. */
export interface PgPoolLike {
  readonly ended: boolean
  connect(): Promise<PgClientLike>
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>
  end(): Promise<void>
}

/** An open database: the Kysely instance, which SQL it speaks, and the native handle for the few native needs. */
export interface Database {
  readonly db: Kysely<any>
  readonly dialect: SqlDialect
  readonly driver: DatabaseDriver
  /** better-sqlite3 only: the file path, or `:memory:`. */
  readonly path?: string
  /** better-sqlite3 only: online backups and the modules' native hot paths. */
  readonly sqlite?: SqliteHandle
  /** pg only: LISTEN/NOTIFY needs a dedicated client. */
  readonly pool?: PgPoolLike
  destroy(): Promise<void>
}

export type DatabaseOptions =
  | {
      /** A SQLite file (its folder is created) or `:memory:`. */
      sqlite: string
      /** How long a writer waits for a lock. Default 5000 ms. */
      busyTimeoutMs?: number
    }
  | {
      /** A `postgres://` URL, or a pg pool config object. */
      postgres: string | Record<string, unknown>
      /** Pool size. Default 10. */
      max?: number
    }
  | {
      /** A folder for PGlite's files; omitted: in memory. */
      pglite?: string
    }

const PG_INT8 = 20

/**
 * Opens a database from a URL or options:
 * - `sqlite:./data/errors.sqlite`, `sqlite::memory:` or a plain path → better-sqlite3 (WAL, `synchronous=NORMAL`,
 *   `busy_timeout`, foreign keys on; the parent folder is created)
 * - `postgres://user:pass@host/db` (or `postgresql://`) → pg Pool
 * - `pglite:` (in memory) or `pglite:./folder` → PGlite, Postgres in-process
 *
 * Bigint columns and counts come back as JS numbers on every driver.
 *
 * @example
 * const { db, dialect } = await createDatabase('sqlite:./data/errors.sqlite')
 */
export async function createDatabase(target: string | DatabaseOptions): Promise<Database> {
  const options = typeof target === 'string' ? parseDatabaseUrl(target) : target
  if ('sqlite' in options) return openSqlite(options.sqlite, options.busyTimeoutMs ?? 5000)
  if ('postgres' in options) return openPostgres(options.postgres, options.max ?? 10)
  return openPGlite(options.pglite)
}

/** Reads a database URL; see {@link createDatabase} for the forms. */
export function parseDatabaseUrl(url: string): DatabaseOptions {
  const value = url.trim()
  if (/^postgres(ql)?:\/\//i.test(value)) return { postgres: value }
  if (/^pglite:/i.test(value)) return { pglite: stripScheme(value, 'pglite') || undefined }
  if (/^sqlite:/i.test(value)) {
    const path = stripScheme(value, 'sqlite')
    if (!path)
      throw new MonlightConfigError(
        `Database URL '${url}' names no file: use sqlite:<path> or sqlite::memory:`,
      )
    return { sqlite: path }
  }
  if (value === ':memory:' || (value !== '' && !value.includes('://'))) return { sqlite: value }
  throw new MonlightConfigError(
    `Unsupported database URL '${url}': use sqlite:<path>, postgres://user:password@host:5432/db or pglite:[folder]`,
  )
}

function stripScheme(url: string, scheme: string): string {
  const rest = url.slice(scheme.length + 1)
  // sqlite:///abs/path → /abs/path; sqlite://rel → rel
  return rest.startsWith('//') ? rest.slice(2) : rest
}

async function openSqlite(path: string, busyTimeoutMs: number): Promise<Database> {
  const { default: BetterSqlite3 } = await importDriver(
    () => import('better-sqlite3'),
    'better-sqlite3',
    'SQLite needs the better-sqlite3 package: npm install better-sqlite3 (it builds with python3, make and g++), ' +
      'or use a postgres:// database URL.',
  )
  const memory = path === ':memory:'
  const file = memory ? path : resolve(path)
  let handle: SqliteHandle
  try {
    if (!memory) mkdirSync(dirname(file), { recursive: true })
    // No busy wait at open: switchToWal waits without blocking the event loop; busy_timeout is set after it.
    handle = new BetterSqlite3(file, { timeout: 0 }) as unknown as SqliteHandle
    // journal_mode reads the file, so a file that is not a database fails here, at open, not on first use.
    await switchToWal(handle, busyTimeoutMs)
  } catch (error) {
    throw new MonlightConfigError(`Cannot open SQLite database ${file}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  handle.pragma('synchronous = NORMAL')
  handle.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
  handle.pragma('foreign_keys = ON')
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: handle as never }) })
  return {
    db,
    dialect: 'sqlite',
    driver: 'better-sqlite3',
    path: file,
    sqlite: handle,
    destroy: async () => {
      await db.destroy()
      // Kysely closes the handle only if it ever ran a query.
      if (handle.open) handle.close()
    },
  }
}

/**
 * Switching to WAL needs the file to itself: while another connection reads it, or a second process switches the
 * same new file at that moment (SQLite then answers SQLITE_BUSY at once, whatever the busy timeout), wait and try
 * again, up to the busy timeout.
 */
async function switchToWal(handle: SqliteHandle, busyTimeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + busyTimeoutMs; ; ) {
    try {
      handle.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

async function openPostgres(config: string | Record<string, unknown>, max: number): Promise<Database> {
  const { default: pg } = await importDriver(
    () => import('pg'),
    'pg',
    'PostgreSQL needs the pg package: npm install pg',
  )
  const types = { getTypeParser: (oid: number, format?: string) => typeParser(pg.types, oid, format) }
  const poolConfig = typeof config === 'string' ? { connectionString: config } : config
  const pool = new pg.Pool({ max, ...poolConfig, types })
  // A client that loses its connection (PostgreSQL restarted, a network cut) emits 'error': on the pool while idle,
  // on the client itself while checked out (a transaction, a LISTEN). Unhandled, either crashes the process. The
  // queries on it fail on their own, and the pool drops the broken client when it comes back.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    driver: 'pg',
    pool: pool as unknown as PgPoolLike,
    destroy: async () => {
      await db.destroy()
      // Kysely ends the pool only if it ever ran a query.
      if (!pool.ended) await pool.end()
    },
  }
}

function typeParser(
  types: { getTypeParser(oid: number, format?: any): (value: string) => unknown },
  oid: number,
  format?: string,
) {
  if (oid === PG_INT8 && format !== 'binary') return (value: string) => Number(value)
  return types.getTypeParser(oid, format)
}

async function openPGlite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await importDriver(
    () => import('@electric-sql/pglite'),
    '@electric-sql/pglite',
    'PGlite needs the @electric-sql/pglite package: npm install @electric-sql/pglite',
  )
  if (dataDir) mkdirSync(resolve(dataDir), { recursive: true })
  const pglite = new PGlite(dataDir ? resolve(dataDir) : undefined, {
    parsers: { [PG_INT8]: (value: string) => Number(value) },
  })
  const db = new Kysely<any>({ dialect: createPGliteDialect(pglite as unknown as PGliteLike) })
  return {
    db,
    dialect: 'postgres',
    driver: 'pglite',
    destroy: async () => {
      await db.destroy()
      await pglite.close()
    },
  }
}

async function importDriver<M>(load: () => Promise<M>, name: string, hint: string): Promise<M> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MonlightConfigError(`${name} is not installed. ${hint}`, { cause: error })
    }
    throw new MonlightConfigError(`${name} failed to load: ${(error as Error).message}. ${hint}`, {
      cause: error,
    })
  }
}
