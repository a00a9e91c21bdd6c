import { createLogger, type Logger } from '@monlight/core'
import type { Env } from '../config.js'

/** Where a command writes: results to `out` (stdout), diagnostics to the logger (stderr). */
export interface CommandIO {
  out(text: string): void
  logger: Logger
  /** For showing paths relative to where the user is. */
  cwd: string
  /** The environment with the config file's variables; modules read their own settings from it. */
  env: Env
}

/**
 * The logger for modules a one-shot command opens: errors only (their start-up notes, such as applied migrations
 * or forwarding not configured, are not the command's business), unless the user asked for debug output.
 */
export function quietLogger(io: CommandIO): Logger {
  return io.logger.level === 'debug' ? io.logger : createLogger({ level: 'error', name: 'monlight' })
}
