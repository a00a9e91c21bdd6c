import { PostgresDialect } from 'kysely'

/** The part of PGlite's API this dialect uses (structural, so core does not depend on the package). */
export interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>
  close(): Promise<void>
}

/**
 * Kysely's Postgres dialect over PGlite. PGlite is a single connection, so the "pool" hands it to one borrower
 * at a time: a transaction keeps it until it releases, as it would a real pooled client.
 */
export function createPGliteDialect(pglite: PGliteLike): PostgresDialect {
  let queue: Promise<void> = Promise.resolve()
  const client = {
    async query(sql: string, params: readonly unknown[]) {
      const result = await pglite.query<Record<string, unknown>>(sql, [...params])
      // Kysely reads affected rows only for these commands; PGlite does not report the command.
      const command = /^\s*(insert|update|delete|merge)\b/i.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT'
      return { command, rowCount: result.affectedRows ?? 0, rows: result.rows }
    },
    release() {},
  }
  const pool = {
    async connect() {
      let release!: () => void
      const previous = queue
      queue = new Promise<void>((resolve) => {
        release = resolve
      })
      await previous
      return { ...client, release }
    },
    async end() {
      await queue
    },
  }
  return new PostgresDialect({ pool: pool as never })
}
