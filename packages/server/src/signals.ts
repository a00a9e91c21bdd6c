import type { Logger } from '@monlight/core'

/** Longest a graceful shutdown may take before the process exits anyway (connections are cut at 5 s). */
export const SHUTDOWN_LIMIT_MS = 9000

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

/**
 * On the first SIGTERM or SIGINT, runs `close` and exits 0 (1 if it fails or overruns {@link SHUTDOWN_LIMIT_MS});
 * a second signal exits at once.
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger, limitMs = SHUTDOWN_LIMIT_MS): void {
  let stopping = false
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting', { signal })
      process.exit(SIGNAL_EXIT_CODES[signal])
    }
    stopping = true
    logger.info('shutting down', { signal })
    const deadline = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting', { limit_ms: limitMs })
      process.exit(1)
    }, limitMs)
    deadline.unref()
    close().then(
      () => {
        logger.info('stopped')
        process.exit(0)
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
