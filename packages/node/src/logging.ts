import { createLogger, type LogFields, type Logger } from '@monlight/core/client'

/** Warnings and worse on stderr, tagged `monlight`. */
export function defaultLogger(): Logger {
  return createLogger({ level: 'warn', name: 'monlight' })
}

/**
 * Logs a failure at most once per interval per message, with how many were held back since, so a server that is
 * down does not flood the app's logs with one line per event.
 */
export function createThrottledWarn(
  logger: Logger,
  intervalMs: number,
): (message: string, fields?: LogFields) => void {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (message, fields) => {
    const now = Date.now()
    const state = last.get(message)
    if (state && now - state.at < intervalMs) {
      state.suppressed++
      return
    }
    last.set(message, { at: now, suppressed: 0 })
    logger.warn(message, state?.suppressed ? { ...fields, suppressed: state.suppressed } : fields)
  }
}
