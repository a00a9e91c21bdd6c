import type { ErrorReport } from '@monlight/core'
import { MonlightError } from '@monlight/core'
import type { StoredReport } from '../store/store.js'
import { fingerprint } from './fingerprint.js'

const REQUIRED = ['project', 'exception_type', 'message', 'traceback'] as const
/** Byte limits, as upstream (its messages say "characters"). */
const MAX_BYTES = { project: 100, exception_type: 200, environment: 100 } as const

/**
 * Checks a report in upstream's order and with its messages (`Missing required field: project`, ...) and
 * prepares it for the store. A field of the wrong type counts as absent, as upstream: a required one is then
 * missing, an optional one ignored.
 */
export function toStoredReport(body: unknown): StoredReport {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MonlightError('VALIDATION_FAILED', 'Request body must be a JSON object')
  }
  const report = body as Record<string, unknown>
  for (const field of REQUIRED) {
    if (typeof report[field] !== 'string') {
      throw new MonlightError('VALIDATION_FAILED', `Missing required field: ${field}`)
    }
  }
  const { project, exception_type, message, traceback } = report as unknown as ErrorReport
  checkLength('project', project)
  checkLength('exception_type', exception_type)
  const environment = optionalString(report.environment)
  if (environment !== null) checkLength('environment', environment)
  return {
    // From the text as sent, so groups match upstream's even when it holds NUL characters.
    fingerprint: fingerprint(project, exception_type, traceback),
    project: storable(project),
    exception_type: storable(exception_type),
    message: storable(message),
    traceback: storable(traceback),
    request_url: optionalString(report.request_url),
    request_method: optionalString(report.request_method),
    request_headers: optionalJson('request_headers', report.request_headers),
    user_id: optionalString(report.user_id),
    extra: optionalJson('extra', report.extra),
    environment,
  }
}

/** PostgreSQL text cannot hold NUL: store U+FFFD instead, on every dialect alike. */
export function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text
}

function checkLength(field: keyof typeof MAX_BYTES, value: string): void {
  const max = MAX_BYTES[field]
  // Cheap test first: a string of ≤ max/3 UTF-16 units is ≤ max UTF-8 bytes.
  if (value.length * 3 > max && Buffer.byteLength(value) > max) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Field '${field}' exceeds maximum length of ${max} characters`,
    )
  }
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? storable(value) : null
}

/** Any JSON value except null, stored as compact JSON text. */
function optionalJson(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw new MonlightError('VALIDATION_FAILED', `Field '${field}' cannot be serialized as JSON`, {
      cause: error,
    })
  }
  // Functions and symbols (possible in-process) serialize to nothing: treat as absent. PostgreSQL's jsonb
  // (the session_id filter) refuses the \u0000 escape.
  return text === undefined ? null : text.replaceAll('\\u0000', '\\ufffd')
}
