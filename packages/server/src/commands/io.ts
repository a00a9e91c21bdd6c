import type { Logger } from '@monlight/core'

/** Where a command writes: results to `out` (stdout), diagnostics to the logger (stderr). */
export interface CommandIO {
  out(text: string): void
  logger: Logger
  /** For showing paths relative to where the user is. */
  cwd: string
}
