import type { ErrorEvent, ErrorReport } from '@monlight/core'
import { MAX_JSON_DEPTH, MonlightError, nestsDeeperThan, normalizeErrorEvent } from '@monlight/core'
import type { StoredReport } from '../store/store.js'
import { fingerprint } from './fingerprint.js'
import { groupingKey } from './grouping.js'

const REQUIRED = ['project', 'exception_type', 'message', 'traceback'] as const
/** Byte limits, as upstream (its messages say "characters"). */
const MAX_BYTES = { project: 100, exception_type: 200, environment: 100 } as const

/**
 * Checks a report in upstream's order and with its messages (`Missing required field: project`, ...) and
 * prepares it for the store. A field of the wrong type counts as absent, as upstream: a required one is then
 * missing, an optional one ignored.
 */
export function toStoredReport(body: unknown, now: number): StoredReport {
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
  const structured =
    report.event === undefined || report.event === null ? undefined : normalizeErrorEvent(report.event)
  const event = structured?.event
  const stored = {
    // From the text as sent, so groups match upstream's even when it holds NUL characters.
    fingerprint: event
      ? groupingKey(project, exception_type, message, event)
      : fingerprint(project, exception_type, traceback),
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
    event_id: event?.event_id ?? null,
    release: event?.release ?? null,
    level: event?.level ?? (event ? 'error' : null),
    platform: event?.platform ?? null,
    culprit: event ? culpritOf(event) : null,
    event: structured
      ? JSON.stringify({
          ...event,
          ...(structured.truncated.length > 0 && { truncated: structured.truncated }),
        })
      : null,
    timestamp:
      event?.timestamp !== undefined && Math.abs(event.timestamp - now) < 30 * 86_400_000
        ? event.timestamp
        : now,
    // Upstream reports carry no facets worth counting (their environment has its own table): they stay as cheap
    // to ingest as before.
    tags: event ? facets(event, environment) : [],
  }
  return stored
}

/** Where it happened, for the list: the transaction, else the innermost in-app frame (`fn (file)`). */
function culpritOf(event: ErrorEvent): string | null {
  if (event.transaction) return event.transaction
  const frames = event.exceptions?.at(-1)?.frames ?? []
  const frame = frames.findLast((f) => f.in_app) ?? frames.at(-1)
  if (!frame) return null
  const file = frame.module ?? frame.filename ?? frame.abs_path ?? ''
  return (frame.function ? `${frame.function} (${file})` : file).slice(0, 300) || null
}

/** The facets counted per group, as Sentry's default tags, then the event's own tags. */
function facets(event: ErrorEvent, environment: string | null): [string, string][] {
  const result = new Map<string, string>()
  const add = (key: string, value: unknown) => {
    if (typeof value === 'string' && value !== '' && !result.has(key) && result.size < 60)
      result.set(storable(key.slice(0, 200)), storable(value.slice(0, 200)))
  }
  add('level', event.level ?? 'error')
  add('release', event.release)
  add('environment', environment)
  add('server_name', event.server_name)
  add('transaction', event.transaction)
  const context = (name: string) => event.contexts?.[name]
  const named = (name: string) => {
    const ctx = context(name)
    const title = typeof ctx?.name === 'string' ? ctx.name : undefined
    return title && typeof ctx?.version === 'string' ? `${title} ${ctx.version}` : title
  }
  add('browser', named('browser'))
  add('browser.name', context('browser')?.name)
  add('os', named('os'))
  add('os.name', context('os')?.name)
  add('runtime', named('runtime'))
  add('device', context('device')?.model ?? context('device')?.family)
  const user = event.user
  add(
    'user',
    user?.id
      ? `id:${user.id}`
      : user?.email
        ? `email:${user.email}`
        : user?.username
          ? `username:${user.username}`
          : user?.ip_address
            ? `ip:${user.ip_address}`
            : undefined,
  )
  if (event.request?.url) add('url', event.request.url.replace(/[?#].*$/, ''))
  for (const [key, value] of Object.entries(event.tags ?? {})) add(key, value)
  return [...result]
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
  if (nestsDeeperThan(value)) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Field '${field}' nests deeper than ${MAX_JSON_DEPTH} levels: flatten it`,
    )
  }
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
