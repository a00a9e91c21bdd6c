import type { Logger } from '@monlight/core'
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
