import { createHash } from 'node:crypto'
import {
  type Database,
  type Logger,
  type PgPoolLike,
  retryConflicts,
  type SqliteStatement,
} from '@monlight/core'
import { type Compilable, CompiledQuery, type Kysely, type RawBuilder } from 'kysely'

/** A placeholder for a named parameter while a query is compiled once. */
export type Param = (name: string) => any

const MARKER = '\u0000monlight-param:'
const param: Param = (name) => `${MARKER}${name}`

/** A query compiled once, run many times with named parameters. */
export interface PreparedQuery {
  readonly sql: string
  /** A name for PostgreSQL's prepared statement of `sql`. */
  readonly name: string
  /** Binds the named values (and the compiled-in constants) in the compiled order. */
  bind(values: Readonly<Record<string, unknown>>): unknown[]
}

/**
 * Compiles a query built with Kysely once, with markers where values go. Building and compiling a query costs
 * more than running it on SQLite, so the hot ingest path compiles each of its queries only once per store.
 *
 * @example prepare(db, (db, p) => db.selectFrom('t').select('id').where('fingerprint', '=', p('fingerprint')))
 */
export function prepare(
  db: Kysely<any>,
  build: (db: Kysely<any>, p: Param) => Compilable | RawBuilder<unknown>,
): PreparedQuery {
  // Query builders ignore the argument; `sql` templates need it.
  const compiled = (build(db, param) as RawBuilder<unknown>).compile(db)
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARKER)
      ? { name: value.slice(MARKER.length), constant: undefined }
      : { name: undefined, constant: value },
  )
  return {
    sql: compiled.sql,
    name: `monlight_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 16)}`,
    bind: (values) => slots.map((slot) => (slot.name === undefined ? slot.constant : values[slot.name])),
  }
}

/** One statement of a multi-statement plan (see {@link runPlan}). */
export interface Step {
  query: PreparedQuery
  values: Readonly<Record<string, unknown>>
}

/** A unit of work written once for every dialect: it yields statements and receives their rows. */
export type Plan<T> = Generator<Step, T, any[]>

interface Pending {
  /** Makes the plan; called again if the plan must be retried alone. */
  plan: () => Plan<unknown>
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * Runs plans, each atomically. On PostgreSQL and PGlite (and on SQLite while a host's Kysely transaction holds
 * the connection) each plan is a Kysely transaction.
 *
 * On better-sqlite3 the statements are prepared once and run synchronously, and the plans that arrive in the
 * same event-loop turn share one `BEGIN IMMEDIATE … COMMIT` (group commit). Every promise settles only after the
 * commit, so nothing is acknowledged before it is durable. If any plan of a batch fails, the batch is rolled back
 * and each plan is run again in a transaction of its own, so a failing plan fails alone. Writing the WAL once per
 * batch rather than once per report is what makes ingest fast.
 */
export function createPlanRunner(database: Database, logger?: Logger) {
  const db = database.db
  // A hand-made Database without the native handle takes the Kysely path.
  const native = database.driver === 'better-sqlite3' ? database.sqlite : undefined
  const statements = new Map<PreparedQuery, SqliteStatement>()

  const execute = (plan: Plan<unknown>): unknown => {
    let result = plan.next([])
    while (!result.done) {
      const { query, values } = result.value
      let statement = statements.get(query)
      if (!statement) {
        statement = native!.prepare(query.sql)
        statements.set(query, statement)
      }
      const params = query.bind(values)
      if (statement.reader) {
        result = plan.next(statement.all(...params))
      } else {
        statement.run(...params)
        result = plan.next([])
      }
    }
    return result.value
  }

  let batch: Pending[] = []
  const results: unknown[] = []
  const runBatch = native?.transaction((pending: Pending[]) => {
    for (const item of pending) results.push(execute(item.plan()))
  })
  const runAlone = native?.transaction(execute)

  const flush = () => {
    const pending = batch
    batch = []
    if (native!.inTransaction) {
      for (const item of pending) runAsync(item.plan).then(item.resolve, item.reject)
      return
    }
    try {
      runBatch!.immediate(pending)
      for (const [index, item] of pending.entries()) item.resolve(results[index])
    } catch {
      for (const item of pending) {
        try {
          item.resolve(runAlone!.immediate(item.plan()))
        } catch (error) {
          item.reject(error)
        }
      }
    } finally {
      results.length = 0
    }
  }

  const runTransaction = <T>(plan: Plan<T>): Promise<T> =>
    db.transaction().execute((trx) =>
      stepThrough(plan, async (query, params) => {
        const { rows } = await trx.executeQuery(CompiledQuery.raw(query.sql, params))
        return rows as any[]
      }),
    )
  const pool = database.driver === 'pg' ? database.pool : undefined
  // A rerun needs a fresh plan: a generator runs once.
  const runAsync = <T>(makePlan: () => Plan<T>): Promise<T> =>
    retryConflicts(() => (pool ? runPrepared(pool, makePlan()) : runTransaction(makePlan())), {
      what: 'errors store',
      logger,
    })

  return {
    /** Runs the plan `makePlan` returns, atomically; on SQLite in the next group commit. */
    run<T>(makePlan: () => Plan<T>): Promise<T> {
      if (!native) return runAsync(makePlan)
      return new Promise<T>((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush)
        batch.push({ plan: makePlan, resolve: resolve as (value: unknown) => void, reject })
      })
    },
  }
}

/**
 * A plan on a pooled pg client with named statements: PostgreSQL then parses and plans each query once per
 * connection instead of once per report, which was most of its CPU time on the ingest path.
 */
async function runPrepared<T>(pool: PgPoolLike, plan: Plan<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('begin')
    const result = await stepThrough(plan, async (query, values) => {
      const { rows } = await client.query({ name: query.name, text: query.sql, values })
      return rows
    })
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true
    })
    throw error
  } finally {
    client.release(broken)
  }
}

/** Runs a plan's statements one after another with `execute`, handing each one's rows to the plan. */
async function stepThrough<T>(
  plan: Plan<T>,
  execute: (query: PreparedQuery, params: unknown[]) => Promise<any[]>,
): Promise<T> {
  let result = plan.next([])
  while (!result.done) {
    const { query, values } = result.value
    result = plan.next(await execute(query, query.bind(values)))
  }
  return result.value
}
