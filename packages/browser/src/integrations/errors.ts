import type { Integration } from '../types.js'

/** Uncaught errors and unhandled promise rejections (non-Error values: types `Error` / `UnhandledRejection`). */
export const errorsIntegration = (): Integration => (hub) => {
  // `error` is missing for cross-origin scripts ("Script error."): the message is all there is.
  hub.listen(window, 'error', (event: ErrorEvent) => hub.captureThrown(event.error || event.message))
  hub.listen(window, 'unhandledrejection', (event: PromiseRejectionEvent) =>
    hub.captureThrown(event.reason, undefined, 'UnhandledRejection'),
  )
}
