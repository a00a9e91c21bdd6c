import type { Database } from '../database/create-database.js'
import { lockKey } from '../database/migrate.js'
import { type Logger, silentLogger } from '../logger.js'
import { createLeadership, type Leadership } from './leadership.js'

export interface Job {
  /** Shown in logs. */
  name: string
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number
  /** The work; `signal` aborts when the scheduler stops. A failure is logged and the job runs again later. */
  run(signal: AbortSignal): Promise<void> | void
  /** Run as soon as the scheduler starts (default), or first after one interval. */
  runOnStart?: boolean
}

export interface SchedulerOptions {
  /** Names the scheduler in logs and, on PostgreSQL, its leader lock: schedulers with one name share a leader. */
  name: string
  /** On a `pg` database, jobs run only on the instance holding the leader lock; elsewhere they always run. */
  database?: Pick<Database, 'driver' | 'pool'>
  logger?: Logger
  /** How often a follower tries to take over, and the leader checks its lock connection. Default 5000 ms. */
  leaderCheckMs?: number
}

export interface Scheduler {
  /** Registers a job; nothing runs until {@link start}. */
  add(job: Job): Scheduler
  /** Starts every job. Returns `stop()`, which cancels timers, waits for running jobs and releases leadership. */
  start(): () => Promise<void>
}

/**
 * Runs background jobs on timers that never overlap a job with itself and never keep the process alive.
 *
 * @example
 * const stop = createScheduler({ name: 'errors', database })
 *   .add({ name: 'retention', intervalMs: 3_600_000, run: () => store.deleteResolvedBefore(cutoff()) })
 *   .start()
 * await stop()
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const jobs: Job[] = []
  const logger = (options.logger ?? silentLogger).child(`jobs:${options.name}`)

  const scheduler: Scheduler = {
    add(job) {
      jobs.push(job)
      return scheduler
    },
    start() {
      const controller = new AbortController()
      const timers = new Set<NodeJS.Timeout>()
      const running = new Set<Promise<void>>()
      const pool = options.database?.driver === 'pg' ? options.database.pool : undefined
      const leadership: Leadership = pool
        ? createLeadership(
            pool,
            lockKey(`monlight_jobs_${options.name}`),
            logger,
            options.leaderCheckMs ?? 5000,
          )
        : { ready: Promise.resolve(), isLeader: () => true, stop: async () => {} }

      const schedule = (job: Job, delayMs: number) => {
        const timer = setTimeout(() => {
          timers.delete(timer)
          void tick(job)
        }, delayMs)
        timer.unref()
        timers.add(timer)
      }
      const tick = async (job: Job) => {
        await leadership.ready
        if (controller.signal.aborted) return
        if (leadership.isLeader()) {
          const run = runJob(job, controller.signal, logger)
          running.add(run)
          await run
          running.delete(run)
        }
        if (!controller.signal.aborted) schedule(job, job.intervalMs)
      }

      for (const job of jobs) schedule(job, job.runOnStart === false ? job.intervalMs : 0)
      return async () => {
        controller.abort()
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        await Promise.allSettled(running)
        await leadership.stop()
      }
    },
  }
  return scheduler
}

async function runJob(job: Job, signal: AbortSignal, logger: Logger): Promise<void> {
  const started = Date.now()
  try {
    await job.run(signal)
    logger.debug('job done', { job: job.name, ms: Date.now() - started })
  } catch (error) {
    if (!signal.aborted) logger.error('job failed', { job: job.name, error })
  }
}
