/** What an error report needs from a thrown value: its type, message and Node-format traceback text. */
export interface DescribedError {
  type: string
  message: string
  traceback: string
}

const MAX_CAUSE_DEPTH = 5

/**
 * Describes anything that was thrown. The traceback is Node's `stack` (`Type: message` then `    at fn (file:line:col)`
 * frames), which the error tracker fingerprints by its first frame, followed by the `cause` chain and the members
 * of an AggregateError, so the report keeps them without changing how the error groups.
 */
export function describeError(thrown: unknown): DescribedError {
  if (!(thrown instanceof Error)) {
    return {
      type: typeof thrown === 'object' && thrown !== null ? 'Object' : 'Error',
      message: text(thrown),
      traceback: '',
    }
  }
  return { type: errorType(thrown), message: thrown.message, traceback: traceback(thrown, 0, new Set()) }
}

/** `class PaymentError extends Error {}` reports `PaymentError` even when it does not set `name`. */
function errorType(error: Error): string {
  const ctor = error.constructor?.name
  return error.name === 'Error' && ctor && ctor !== 'Error' ? ctor : error.name || 'Error'
}

function traceback(error: Error, depth: number, seen: Set<unknown>): string {
  seen.add(error)
  let out = error.stack ?? `${errorType(error)}: ${error.message}`
  if (error instanceof AggregateError) {
    error.errors.forEach((member, index) => {
      out += `\n  [errors[${index}]] ${indent(member instanceof Error && !seen.has(member) ? traceback(member, depth + 1, seen) : text(member))}`
    })
  }
  const cause = (error as { cause?: unknown }).cause
  if (cause !== undefined && depth < MAX_CAUSE_DEPTH && !seen.has(cause)) {
    out += `\nCaused by: ${cause instanceof Error ? traceback(cause, depth + 1, seen) : text(cause)}`
  }
  return out
}

function indent(value: string): string {
  return value.replace(/\n/g, '\n  ')
}

function text(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
