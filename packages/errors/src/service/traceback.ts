import type { ErrorReport } from '@monlight/core'

/** Extra fields for {@link describeError}'s report; `project` defaults to the module's `project` option. */
export type CaptureContext = Partial<Omit<ErrorReport, 'exception_type' | 'message' | 'traceback'>>

const MAX_CAUSES = 5

/**
 * The report fields of a thrown value, as an HTTP client would send them: the class name, the message, and the
 * V8 stack (`Type: message` then `    at fn (file:line:col)` frames) with any `cause` chain appended, so the
 * fingerprint groups by the throw site. A thrown non-Error becomes `NonError` with no frames, so it groups by
 * its text.
 */
export function describeError(error: unknown): Pick<ErrorReport, 'exception_type' | 'message' | 'traceback'> {
  if (!(error instanceof Error)) {
    const message = typeof error === 'string' ? error : safeString(error)
    return { exception_type: 'NonError', message, traceback: `NonError: ${message}` }
  }
  const parts = [stackOf(error)]
  let cause = error.cause
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    parts.push(`Caused by: ${cause instanceof Error ? stackOf(cause) : safeString(cause)}`)
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return { exception_type: typeName(error), message: error.message, traceback: parts.join('\n') }
}

/** `error.name`, or the class name when a subclass did not set `name` (it then reads `Error`). */
function typeName(error: Error): string {
  const name = error.name || 'Error'
  const className = error.constructor?.name
  return name === 'Error' && className && className !== 'Error' ? className : name
}

function stackOf(error: Error): string {
  return typeof error.stack === 'string' && error.stack ? error.stack : `${typeName(error)}: ${error.message}`
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
