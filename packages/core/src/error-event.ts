import type { Breadcrumb, ErrorEvent, ErrorLevel, ExceptionInfo, StackFrame } from './ingest.js'

/**
 * Bounds for a stored error event, in the spirit of Sentry Relay's: enough to debug, never enough for one
 * event to fill a database or make a page slow. What is cut is listed in `truncated`, so the UI can say so.
 */
export const EVENT_LIMITS = {
  exceptions: 10,
  framesPerException: 200,
  breadcrumbs: 100,
  tags: 50,
  contexts: 20,
  contextLines: 5,
  /** Characters of one short field (type, function, file name, tag value...). */
  short: 512,
  /** Characters of one long field (exception value, message, breadcrumb message, context line...). */
  long: 8192,
  /** Nesting depth and entries per object of free-form data (vars, contexts, breadcrumb data, request data). */
  depth: 5,
  entries: 50,
} as const

const LEVELS = new Set<ErrorLevel>(['fatal', 'error', 'warning', 'info', 'debug'])

/** An error event with its bounds applied, and what was cut to fit them. */
export interface NormalizedEvent {
  event: ErrorEvent
  truncated: string[]
}

/**
 * Takes anything shaped like an {@link ErrorEvent} (from HTTP, so untrusted) and returns a clean, bounded one:
 * fields of the wrong type are dropped, long strings and lists cut (each cut noted), free-form data kept only
 * as deep and wide as {@link EVENT_LIMITS} allows. Never throws.
 */
export function normalizeErrorEvent(input: unknown): NormalizedEvent {
  const truncated: string[] = []
  const source = isObject(input) ? input : {}
  const cut = new Cutter(truncated)
  const event: ErrorEvent = {}
  const eventId = str(source.event_id)?.replaceAll('-', '').toLowerCase()
  if (eventId && /^[0-9a-f]{32}$/.test(eventId)) event.event_id = eventId
  const level = str(source.level)?.toLowerCase()
  if (level)
    event.level =
      level === 'warn' ? 'warning' : LEVELS.has(level as ErrorLevel) ? (level as ErrorLevel) : 'error'
  const timestamp = source.timestamp
  if (typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp > 0 && timestamp < 8.64e15)
    event.timestamp = Math.round(timestamp)
  for (const field of ['platform', 'release', 'dist', 'server_name', 'transaction', 'logger'] as const) {
    const value = cut.text(source[field], field, EVENT_LIMITS.short)
    if (value) event[field] = value
  }
  const message = cut.text(source.message, 'message', EVENT_LIMITS.long)
  if (message) event.message = message

  if (Array.isArray(source.exceptions)) {
    // The raised exception is the last of the chain: keep the newest ones.
    const values = cut.list(source.exceptions, 'exceptions', EVENT_LIMITS.exceptions, 'newest')
    const exceptions = values
      .map((value, i) => exception(value, cut, `exceptions[${i}]`))
      .filter((e) => e !== undefined)
    if (exceptions.length > 0) event.exceptions = exceptions
  }
  if (Array.isArray(source.breadcrumbs)) {
    const crumbs = cut.list(source.breadcrumbs, 'breadcrumbs', EVENT_LIMITS.breadcrumbs, 'newest')
    event.breadcrumbs = crumbs.filter(isObject).map((crumb) => breadcrumb(crumb, cut))
  }
  if (isObject(source.tags)) {
    const tags: Record<string, string> = {}
    const entries = cut.list(Object.entries(source.tags), 'tags', EVENT_LIMITS.tags, 'oldest')
    for (const [key, value] of entries) {
      const text =
        typeof value === 'string'
          ? value
          : typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : undefined
      const name = keyOf(key)
      if (text !== undefined && name) put(tags, name, cut.text(text, `tags.${name}`, 200))
    }
    if (Object.keys(tags).length > 0) event.tags = tags
  }
  if (isObject(source.contexts)) {
    const contexts: Record<string, Record<string, unknown>> = {}
    for (const [key, value] of cut.list(
      Object.entries(source.contexts),
      'contexts',
      EVENT_LIMITS.contexts,
      'oldest',
    )) {
      if (isObject(value)) put(contexts, keyOf(key), cut.data(value, `contexts.${key}`))
    }
    if (Object.keys(contexts).length > 0) event.contexts = contexts
  }
  if (isObject(source.user)) {
    const user = cut.data(source.user, 'user') as Record<string, unknown>
    for (const field of ['id', 'email', 'username', 'ip_address']) {
      // `{ id: null }` is no id (else every such user would be the one user `null`).
      if (user[field] === null) delete user[field]
      else if (user[field] !== undefined && typeof user[field] !== 'string') user[field] = String(user[field])
    }
    if (Object.keys(user).length > 0) event.user = user
  }
  if (isObject(source.request)) {
    const request: NonNullable<ErrorEvent['request']> = {}
    const url = cut.text(source.request.url, 'request.url', EVENT_LIMITS.long)
    if (url) request.url = url
    // Upper case first: it can lengthen a string (`ß` → `SS`), and the cut must hold.
    const rawMethod = source.request.method
    const method = cut.text(
      typeof rawMethod === 'string' ? rawMethod.toUpperCase() : rawMethod,
      'request.method',
      16,
    )
    if (method) request.method = method
    const query = cut.text(source.request.query_string, 'request.query_string', EVENT_LIMITS.long)
    if (query) request.query_string = query
    if (isObject(source.request.headers)) {
      const headers: Record<string, string> = {}
      for (const [name, value] of cut.list(
        Object.entries(source.request.headers),
        'request.headers',
        EVENT_LIMITS.entries,
        'oldest',
      )) {
        if (typeof value === 'string')
          put(headers, keyOf(name), cut.text(value, `request.headers.${name}`, EVENT_LIMITS.long))
      }
      request.headers = headers
    }
    if (source.request.data !== undefined) request.data = cut.data(source.request.data, 'request.data')
    if (Object.keys(request).length > 0) event.request = request
  }
  if (isObject(source.sdk)) {
    const name = cut.text(source.sdk.name, 'sdk.name', EVENT_LIMITS.short)
    const version = cut.text(source.sdk.version, 'sdk.version', EVENT_LIMITS.short)
    if (name || version) event.sdk = { ...(name && { name }), ...(version && { version }) }
  }
  if (Array.isArray(source.fingerprint)) {
    const parts = source.fingerprint
      .slice(0, 20)
      .filter((part) => typeof part === 'string' || typeof part === 'number')
      .map((part) => String(part).slice(0, EVENT_LIMITS.short))
    if (parts.length > 0) event.fingerprint = parts
  }
  return { event, truncated }
}

function exception(input: unknown, cut: Cutter, path: string): ExceptionInfo | undefined {
  if (!isObject(input)) return undefined
  const type = cut.text(input.type, `${path}.type`, EVENT_LIMITS.short) ?? ''
  const value = cut.text(input.value, `${path}.value`, EVENT_LIMITS.long) ?? ''
  if (!type && !value) return undefined
  // No type: a synthetic exception carrying a message's stack (`captureMessage` with attachStacktrace).
  const result: ExceptionInfo = { type, value, frames: [] }
  const module = cut.text(input.module, `${path}.module`, EVENT_LIMITS.short)
  if (module) result.module = module
  if (isObject(input.mechanism)) {
    const mechanism: NonNullable<ExceptionInfo['mechanism']> = {}
    const kind = cut.text(input.mechanism.type, `${path}.mechanism.type`, EVENT_LIMITS.short)
    if (kind) mechanism.type = kind
    if (typeof input.mechanism.handled === 'boolean') mechanism.handled = input.mechanism.handled
    if (input.mechanism.synthetic === true) mechanism.synthetic = true
    result.mechanism = mechanism
  }
  if (Array.isArray(input.frames)) {
    // The frames nearest the throw are the last ones; long recursions lose their middle, as Sentry trims them.
    const frames = input.frames
    const max = EVENT_LIMITS.framesPerException
    const kept =
      frames.length > max
        ? [...frames.slice(0, max / 4), ...frames.slice(frames.length - (max * 3) / 4)]
        : frames
    if (kept !== frames) cut.note(`${path}.frames: kept ${max} of ${frames.length}`)
    result.frames = kept.filter(isObject).map((frame, i) => stackFrame(frame, cut, `${path}.frames[${i}]`))
  }
  return result
}

function stackFrame(input: Record<string, unknown>, cut: Cutter, path: string): StackFrame {
  const frame: StackFrame = {}
  for (const field of ['function', 'module', 'filename', 'abs_path', 'unmapped_reason'] as const) {
    const value = cut.text(input[field], `${path}.${field}`, EVENT_LIMITS.short * 2)
    if (value) frame[field] = value
  }
  for (const field of ['lineno', 'colno'] as const) {
    const value = input[field]
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 31)
      frame[field] = value
  }
  if (typeof input.in_app === 'boolean') frame.in_app = input.in_app
  const line = cut.text(input.context_line, `${path}.context_line`, 1024)
  if (line !== undefined) frame.context_line = line
  for (const field of ['pre_context', 'post_context'] as const) {
    const lines = input[field]
    if (!Array.isArray(lines)) continue
    const keep =
      field === 'pre_context'
        ? lines.slice(-EVENT_LIMITS.contextLines)
        : lines.slice(0, EVENT_LIMITS.contextLines)
    frame[field] = keep.map((text) => (typeof text === 'string' ? text.slice(0, 1024) : ''))
  }
  if (isObject(input.vars)) frame.vars = cut.data(input.vars, `${path}.vars`) as Record<string, unknown>
  return frame
}

function breadcrumb(input: Record<string, unknown>, cut: Cutter): Breadcrumb {
  const crumb: Breadcrumb = {}
  const timestamp = input.timestamp
  if (typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp > 0 && timestamp < 8.64e15)
    crumb.timestamp = Math.round(timestamp)
  for (const field of ['type', 'category', 'level'] as const) {
    const value = cut.text(input[field], `breadcrumb.${field}`, EVENT_LIMITS.short)
    if (value) crumb[field] = value
  }
  const message = cut.text(input.message, 'breadcrumb.message', EVENT_LIMITS.long)
  if (message) crumb.message = message
  if (isObject(input.data)) crumb.data = cut.data(input.data, 'breadcrumb.data') as Record<string, unknown>
  return crumb
}

/** Applies the limits and notes each cut once per path. */
class Cutter {
  constructor(private readonly notes: string[]) {}

  note(text: string): void {
    if (this.notes.length < 50 && !this.notes.includes(text)) this.notes.push(text)
  }

  text(value: unknown, path: string, max: number): string | undefined {
    if (typeof value !== 'string') return undefined
    const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value
    if (clean.length <= max) return clean
    this.note(`${path}: cut to ${max} characters`)
    // The ellipsis counts: a cut value is at most `max` long, so normalizing it again cuts nothing.
    return `${clean.slice(0, max - 1)}…`
  }

  list<T>(values: readonly T[], path: string, max: number, keep: 'newest' | 'oldest'): T[] {
    if (values.length <= max) return [...values]
    this.note(`${path}: kept the ${keep} ${max} of ${values.length}`)
    return keep === 'newest' ? values.slice(values.length - max) : values.slice(0, max)
  }

  /** Free-form JSON: bounded depth, width and string length; anything not JSON becomes its description. */
  data(value: unknown, path: string, depth = 0): unknown {
    if (value === null || typeof value === 'boolean') return value
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
    if (typeof value === 'string') return this.text(value, path, EVENT_LIMITS.long)
    if (depth >= EVENT_LIMITS.depth) {
      this.note(`${path}: nested deeper than ${EVENT_LIMITS.depth} levels`)
      return Array.isArray(value) ? '[…]' : '{…}'
    }
    if (Array.isArray(value)) {
      return this.list(value, path, EVENT_LIMITS.entries, 'oldest').map((entry) =>
        this.data(entry, path, depth + 1),
      )
    }
    if (isObject(value)) {
      const result: Record<string, unknown> = {}
      for (const [key, entry] of this.list(Object.entries(value), path, EVENT_LIMITS.entries, 'oldest')) {
        if (entry !== undefined) put(result, keyOf(key), this.data(entry, path, depth + 1))
      }
      return result
    }
    return undefined
  }
}

/** A key as stored: at most 200 characters, NUL as U+FFFD (PostgreSQL text cannot hold NUL; tag keys are rows). */
function keyOf(key: string): string {
  const name = key.slice(0, 200)
  return name.includes('\u0000') ? name.replaceAll('\u0000', '\uFFFD') : name
}

/** Sets a key as data, even `__proto__` (which plain assignment would take as the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
