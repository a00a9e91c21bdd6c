import { MonlightError } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'

/** PostgreSQL aborted the transaction over a conflict with another one: running it again is safe. */
const CONFLICT_CODES = new Set(['40P01', '40001']) // deadlock_detected, serialization_failure

/**
 * The database cannot serve right now but will again: PostgreSQL shutting down or refusing connections, a lost
 * connection, too many clients. Socket error codes are the pg driver's when the server is unreachable.
 */
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
])

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

/**
 * Whether a write failed for lack of space: SQLite's "database or disk is full" (also its `max_page_count`
 * limit), PostgreSQL's disk_full, or the file system's ENOSPC. It lasts until someone frees space.
 */
export function isStorageFullError(error: unknown): boolean {
  return ['SQLITE_FULL', '53100', 'ENOSPC'].includes(codeOf(error) ?? '')
}

/** Whether PostgreSQL aborted a transaction for a deadlock or a serialization failure. */
export function isConflictError(error: unknown): boolean {
  return CONFLICT_CODES.has(codeOf(error) ?? '')
}

/** Whether an error means the database is down or out of connections for now (SQLSTATE class 08 included). */
export function isUnavailableError(error: unknown): boolean {
  const code = codeOf(error)
  if (code === undefined) {
    // pg rejects queries on a client whose connection ended with plain Errors.
    const message = error instanceof Error ? error.message : ''
    return /Connection terminated|Client has encountered a connection error/i.test(message)
  }
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08')
}

export interface RetryConflictsOptions {
  /** What is being written, for the log line. */
  what: string
  logger?: Logger
  /** Attempts in all. Default 5. */
  attempts?: number
}

/**
 * Runs `transaction` again when PostgreSQL aborted it for a deadlock or a serialization failure: at most
 * `attempts` runs, waiting a jittered, doubling delay (5–10 ms, 10–20 ms …) between them, each retry logged as a
 * warning. Other errors go to the caller at once. If the conflicts outlast the attempts, the caller gets a 503
 * with `Retry-After`, never a 500: the write can succeed later, and a client that retries loses nothing.
 * `transaction` must be a whole transaction: a retry reruns all of it.
 */
export async function retryConflicts<T>(
  transaction: () => Promise<T>,
  options: RetryConflictsOptions,
): Promise<T> {
  const attempts = options.attempts ?? 5
  const logger = options.logger ?? silentLogger
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction()
    } catch (error) {
      if (!isConflictError(error)) throw error
      if (attempt >= attempts) {
        throw new MonlightError(
          'SERVICE_UNAVAILABLE',
          `The database kept aborting this write for conflicts with concurrent writes (${attempts} attempts); retry it`,
          { cause: error, headers: { 'Retry-After': '1' } },
        )
      }
      const delay = 5 * 2 ** (attempt - 1) * (1 + Math.random())
      logger.warn(`${options.what}: transaction conflict, retrying`, {
        code: codeOf(error),
        attempt,
        delayMs: Math.round(delay),
      })
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
