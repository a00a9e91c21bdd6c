import { randomBytes } from 'node:crypto'
import { createDatabase, type Database } from '@monlight/core'
import { describe } from 'vitest'

export type TestDialect = 'sqlite' | 'pglite' | 'postgres'

const POSTGRES_URL = process.env.MONLIGHT_TEST_POSTGRES_URL
const REQUIRE_POSTGRES = process.env.MONLIGHT_TEST_REQUIRE_POSTGRES === '1'

if (!POSTGRES_URL && REQUIRE_POSTGRES) {
  throw new Error('MONLIGHT_TEST_REQUIRE_POSTGRES=1 but MONLIGHT_TEST_POSTGRES_URL is not set')
}

/** `sqlite` and `pglite` always; `postgres` when MONLIGHT_TEST_POSTGRES_URL points at a server. */
export const DIALECTS: readonly TestDialect[] = POSTGRES_URL
  ? ['sqlite', 'pglite', 'postgres']
  : ['sqlite', 'pglite']

/** The PostgreSQL server URL for tests, if one is configured. */
export const postgresUrl: string | undefined = POSTGRES_URL

let noticePrinted = false
/** Says once per test file why the postgres leg did not run. */
export function printPostgresNotice(): void {
  if (POSTGRES_URL || noticePrinted) return
  noticePrinted = true
  console.info(
    '[monlight] postgres dialect skipped: set MONLIGHT_TEST_POSTGRES_URL to run it against a server',
  )
}

export interface TestDatabase extends Database {
  readonly name: TestDialect
}

/**
 * A fresh, empty database: SQLite in memory, PGlite in memory, or a new schema on the test PostgreSQL server
 * (dropped again by `destroy()`), so test files never see each other's tables.
 */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { ...(await createDatabase({ sqlite: ':memory:' })), name: dialect }
  if (dialect === 'pglite') return { ...(await createDatabase({ pglite: undefined })), name: dialect }
  const [database] = await createTestDatabases(dialect, 1)
  return database!
}

/**
 * `count` handles on one fresh database, as `count` instances of a server would have: on PostgreSQL each its own
 * pool on one schema (dropped when the last is destroyed); on SQLite and PGlite, which are in-process, the one
 * handle `count` times.
 */
export async function createTestDatabases(dialect: TestDialect, count: number): Promise<TestDatabase[]> {
  if (dialect !== 'postgres') {
    const database = await createTestDatabase(dialect)
    let open = count
    const destroy = async () => {
      if (--open === 0) await database.destroy()
    }
    return Array.from({ length: count }, () => ({ ...database, destroy }))
  }
  if (!POSTGRES_URL) throw new Error('MONLIGHT_TEST_POSTGRES_URL is not set')
  const url = POSTGRES_URL
  const schema = await createTestSchema(url)
  let open = count
  return Promise.all(
    Array.from({ length: count }, async (): Promise<TestDatabase> => {
      const database = await createDatabase({
        postgres: { connectionString: url, options: `-c search_path=${schema}` },
        max: 4,
      })
      return {
        ...database,
        name: dialect,
        destroy: async () => {
          await database.destroy()
          if (--open === 0) await dropTestSchema(url, schema)
        },
      }
    }),
  )
}

/** A new schema on the test server; pass `-c search_path=<schema>` to connections that should use it. */
export async function createTestSchema(url: string): Promise<string> {
  const schema = `test_${randomBytes(6).toString('hex')}`
  await withAdmin(url, (db) => db.pool!.query(`create schema ${schema}`))
  return schema
}

export async function dropTestSchema(url: string, schema: string): Promise<void> {
  await withAdmin(url, (db) => db.pool!.query(`drop schema if exists ${schema} cascade`))
}

async function withAdmin(url: string, work: (db: Database) => Promise<unknown>): Promise<void> {
  const admin = await createDatabase({ postgres: url, max: 1 })
  try {
    await work(admin)
  } finally {
    await admin.destroy()
  }
}

/**
 * Runs a suite once per dialect; titles start with the dialect (`pglite: errors store > ...`), so a failure
 * names its database.
 *
 * @example
 * describeDialects('migrations', (dialect) => {
 *   let database: TestDatabase
 *   beforeEach(async () => { database = await createTestDatabase(dialect) })
 *   afterEach(() => database.destroy())
 *   it('applies once', async () => { ... })
 * })
 */
export function describeDialects(title: string, suite: (dialect: TestDialect) => void): void {
  printPostgresNotice()
  for (const dialect of DIALECTS) describe(`${dialect}: ${title}`, () => suite(dialect))
}
