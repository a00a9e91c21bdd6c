import type { PgClientLike, PgPoolLike } from '../database/create-database.js'
import type { Logger } from '../logger.js'

export interface Leadership {
  /** Settles after the first attempt to lead. */
  readonly ready: Promise<void>
  isLeader(): boolean
  stop(): Promise<void>
}

/**
 * Leader election over a PostgreSQL session-level advisory lock. The leader keeps one pooled connection that
 * holds the lock, and checks it each interval; if that connection dies, PostgreSQL frees the lock and a follower
 * takes over at its next attempt. Followers borrow a connection only for the attempt.
 */
export function createLeadership(pool: PgPoolLike, key: number, logger: Logger, checkMs: number): Leadership {
  let client: PgClientLike | undefined
  let leader = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  const dropClient = (destroy: boolean) => {
    const held = client
    client = undefined
    if (leader) logger.warn('lost leadership')
    leader = false
    held?.release(destroy)
  }

  const attempt = async () => {
    try {
      if (leader && client) {
        await client.query('select 1')
      } else {
        const candidate = await pool.connect()
        const result = await candidate.query('select pg_try_advisory_lock($1::bigint) as locked', [key])
        if (result.rows[0]?.locked === true && !stopped) {
          client = candidate
          leader = true
          candidate.on('error', () => dropClient(true))
          logger.info('leading: jobs run on this instance')
        } else {
          if (result.rows[0]?.locked === true)
            await candidate.query('select pg_advisory_unlock($1::bigint)', [key])
          candidate.release()
        }
      }
    } catch (error) {
      logger.warn('leader check failed', { error })
      dropClient(true)
    }
    if (!stopped) {
      timer = setTimeout(() => {
        inFlight = attempt()
      }, checkMs)
      timer.unref()
    }
  }

  const ready = attempt()
  let inFlight = ready
  return {
    ready,
    isLeader: () => leader,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await inFlight
      const held = client
      if (!held) return
      client = undefined
      leader = false
      try {
        await held.query('select pg_advisory_unlock($1::bigint)', [key])
        held.release()
      } catch {
        held.release(true)
      }
    },
  }
}
