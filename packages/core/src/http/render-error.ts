import { HTTPError } from 'h3'
import { isStorageFullError, isUnavailableError } from '../database/transient.js'
import { ERROR_STATUS, MonlightError, type MonlightErrorCode } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

/** Messages for errors raised by h3 itself (unknown route, malformed URL, ...), upstream's wording where it had one. */
const STATUS_MESSAGES: Record<number, [MonlightErrorCode, string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed'],
  413: ['PAYLOAD_TOO_LARGE', 'Request body exceeds maximum size'],
}

/**
 * The one place where a thrown value becomes an HTTP response: `{"detail": "...", "code": "..."}`.
 * Typed errors keep their message; a database that is down for now, or full, is a 503 with `Retry-After` (clients
 * that retry then lose nothing); anything unexpected is logged with its cause and answered with a bare 500, so
 * internals never leak.
 */
export function renderError(
  error: unknown,
  logger: Logger = silentLogger,
  responseHeaders?: Headers,
): Response {
  const typed = toMonlightError(error) ?? databaseOutage(error, logger)
  if (!typed) {
    const cause = HTTPError.isError(error) && error.cause instanceof Error ? error.cause : error
    logger.error('unhandled error', { error: cause })
  }
  const rendered = typed ?? new MonlightError('INTERNAL', 'Internal server error')
  const headers = new Headers(JSON_HEADERS)
  if (rendered.headers) for (const [name, value] of Object.entries(rendered.headers)) headers.set(name, value)
  // CORS headers set before the failure must survive it: without them a browser reports an opaque CORS error
  // instead of our 4xx (upstream's relay got this wrong, contract §12.2-13).
  responseHeaders?.forEach((value, name) => {
    if (name.startsWith('access-control-') || name === 'vary') headers.set(name, value)
  })
  return new Response(JSON.stringify(rendered.toJSON()), { status: rendered.status, headers })
}

/** The {@link MonlightError} behind `error`, translating h3's own HTTP errors; undefined for real bugs. */
export function toMonlightError(error: unknown): MonlightError | undefined {
  if (MonlightError.is(error)) return error
  if (!HTTPError.isError(error)) return undefined
  if (MonlightError.is(error.cause)) return error.cause
  if (error.unhandled) return undefined
  const [code, message] = STATUS_MESSAGES[error.status] ?? [codeForStatus(error.status), error.message]
  return new MonlightError(code, error.status === 400 && error.message ? error.message : message, {
    cause: error,
  })
}

/** Database states that fail every request alike until they pass: answered 503 with `Retry-After`. */
const OUTAGES = [
  {
    is: isUnavailableError,
    retryAfter: '2',
    detail: 'The database is unavailable right now; retry in a few seconds',
    log: (logger: Logger, error: unknown) =>
      logger.warn('database unavailable; answering 503 until it is back', { error }),
  },
  {
    is: isStorageFullError,
    retryAfter: '30',
    detail:
      'The database is full (its disk or size limit): nothing was stored. Writes resume once space is freed',
    // An error, not a warning: it lasts until someone frees space.
    log: (logger: Logger, error: unknown) =>
      logger.error('database full: writes answer 503 until space is freed on its disk', { error }),
  },
]
/** One log line per outage and ten seconds, not one per request. */
const OUTAGE_LOG_EVERY_MS = 10_000
const lastLogged = new Map<(typeof OUTAGES)[number], number>()

function databaseOutage(error: unknown, logger: Logger): MonlightError | undefined {
  const cause = HTTPError.isError(error) ? error.cause : error
  const outage = OUTAGES.find((candidate) => candidate.is(cause))
  if (!outage) return undefined
  const now = Date.now()
  if (now - (lastLogged.get(outage) ?? Number.NEGATIVE_INFINITY) >= OUTAGE_LOG_EVERY_MS) {
    lastLogged.set(outage, now)
    outage.log(logger, cause)
  }
  return new MonlightError('SERVICE_UNAVAILABLE', outage.detail, {
    cause,
    headers: { 'Retry-After': outage.retryAfter },
  })
}

function codeForStatus(status: number): MonlightErrorCode {
  const match = (Object.keys(ERROR_STATUS) as MonlightErrorCode[]).find(
    (code) => ERROR_STATUS[code] === status,
  )
  return match ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')
}
