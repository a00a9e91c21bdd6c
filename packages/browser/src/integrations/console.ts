import type { Integration } from '../types.js'
import { formatArgs } from '../util.js'

/**
 * Console calls as breadcrumbs and, with `captureConsole: true`, `console.error` / `console.warn` calls as
 * `ConsoleError` / `ConsoleWarning` events (upstream). The original method is always called.
 */
export const consoleIntegration = (): Integration => (hub) => {
  ;(['log', 'info', 'warn', 'error'] as const).forEach((level, index) => {
    const capture = hub.config.captureConsole && index > 1
    hub.patch(
      console,
      level,
      (original) =>
        function (this: Console, ...args: unknown[]) {
          original.apply(this, args)
          // Formatting costs time on every call: only when someone wants the text.
          if (!hub.crumbs && !capture) return
          const text = formatArgs(args)
          hub.crumb('console', `${level}: ${text}`)
          if (capture) hub.captureEvent(index > 2 ? 'ConsoleError' : 'ConsoleWarning', text, '')
        },
    )
  })
}
