import type {
  Breadcrumb,
  ErrorEvent,
  ErrorReport,
  ExceptionInfo,
  LogEntry,
  MetricPoint,
  StackFrame,
} from '@monlight/core'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '@monlight/core'
import { debugIdOf } from '../../service/validate.js'

/**
 * Sentry's JSON (develop docs, "event payloads", "envelope items") mapped onto Monlight's ingest shapes. Pure: no
 * storage, no IO. Fields of the wrong type are ignored, never an error: SDKs of many languages send their own
 * variations, and a partly readable event is worth more than a 400.
 */

/** Who sent it: the key's project and what the envelope header says. */
export interface MapContext {
  project: string
  /** Epoch ms. */
  now: number
}

/** The latest time a Date holds (year 275760), in epoch ms. */
const MAX_TIME_MS = 8.64e15

/** A Sentry timestamp: RFC 3339 string or epoch seconds (float). Epoch ms, or undefined. */
export function sentryTime(value: unknown): number | undefined {
  if (typeof value === 'number') return epochSeconds(value)
  if (typeof value === 'string' && value !== '') {
    const numeric = Number(value)
    if (Number.isFinite(numeric)) return epochSeconds(numeric)
    // RFC 3339 without a zone is UTC in Sentry's protocol.
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`)
    if (Number.isFinite(ms)) return ms
  }
  return undefined
}

/** Seconds as ms, undefined when not a time a Date can hold (1e300 would be Infinity ms). */
function epochSeconds(seconds: number): number | undefined {
  const ms = Math.round(seconds * 1000)
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TIME_MS ? ms : undefined
}

/** An `event` item (or a `/store/` body) as an error report: flat upstream fields plus the structured event. */
export function mapEvent(payload: unknown, context: MapContext): ErrorReport | undefined {
  if (!isObject(payload)) return undefined
  const exceptions = exceptionsOf(payload)
  const messageText = messageOf(payload)
  const raised = exceptions.at(-1)
  const request = isObject(payload.request) ? payload.request : undefined
  const user = userOf(payload.user)
  const contexts = isObject(payload.contexts) ? payload.contexts : undefined
  const event: ErrorEvent & Record<string, unknown> = {
    event_id: text(payload.event_id),
    level: text(payload.level) as ErrorEvent['level'],
    platform: text(payload.platform),
    timestamp: sentryTime(payload.timestamp),
    release: text(payload.release),
    dist: text(payload.dist),
    server_name: text(payload.server_name),
    transaction: text(payload.transaction) ?? text(payload.culprit),
    logger: text(payload.logger),
    exceptions,
    message: messageText,
    breadcrumbs: breadcrumbsOf(payload.breadcrumbs),
    tags: textValues(payload.tags),
    contexts: contexts as ErrorEvent['contexts'],
    user: user as ErrorEvent['user'],
    request: request && {
      url: text(request.url),
      method: text(request.method),
      headers: textValues(request.headers),
      query_string: queryString(request.query_string),
      data: request.data,
    },
    sdk: isObject(payload.sdk)
      ? { name: text(payload.sdk.name), version: text(payload.sdk.version) }
      : undefined,
    fingerprint: Array.isArray(payload.fingerprint) ? (payload.fingerprint as string[]) : undefined,
  }
  const environment = text(payload.environment)
  const type = raised?.type || (messageText !== undefined ? 'Message' : 'Error')
  const message = raised?.value || messageText || ''
  const userId = text(user?.id) ?? text(user?.email) ?? text(user?.username) ?? text(user?.ip_address)
  return {
    project: context.project,
    exception_type: clipBytes(type, 200),
    message,
    traceback: tracebackText(exceptions, messageText),
    ...(event.request?.url !== undefined && { request_url: event.request.url }),
    // The browser SDK's platform is `javascript` (Node's is `node`): the error tracker lists those as browser errors.
    request_method: event.request?.method ?? (event.platform === 'javascript' ? 'BROWSER' : undefined),
    ...(event.request?.headers !== undefined && { request_headers: event.request.headers }),
    ...(userId !== undefined && { user_id: userId }),
    ...(isObject(payload.extra) && { extra: boundedCopy(payload.extra) }),
    // Stored and filtered up to 100 bytes; a longer one is cut rather than refused.
    ...(environment !== undefined && { environment: clipBytes(environment, 100) }),
    event,
  }
}

const MAX_DEBUG_IMAGES = 100

/**
 * The event's source-map debug IDs by file URL: `debug_meta.images` entries of type `sourcemap` (`code_file`,
 * `debug_id`), which Sentry's JavaScript SDKs fill from the IDs `sentry-cli sourcemaps inject` wrote.
 */
export function mapDebugIds(payload: unknown): Map<string, string> {
  const ids = new Map<string, string>()
  const meta = isObject(payload) && isObject(payload.debug_meta) ? payload.debug_meta : undefined
  if (!meta || !Array.isArray(meta.images)) return ids
  for (const image of meta.images.slice(0, MAX_DEBUG_IMAGES)) {
    if (!isObject(image) || image.type !== 'sourcemap' || typeof image.code_file !== 'string') continue
    const debugId = debugIdOf(image.debug_id)
    if (debugId !== null) ids.set(image.code_file, debugId)
  }
  return ids
}

/**
 * The user with its identity fields as text: SDKs send a numeric id; an object there is dropped (turning one with
 * a `toString` key into text would throw).
 */
function userOf(value: unknown): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined
  const user = { ...value }
  for (const field of ['id', 'email', 'username', 'ip_address']) {
    const entry = user[field]
    if (entry === undefined || typeof entry === 'string') continue
    if (typeof entry === 'number' || typeof entry === 'boolean') user[field] = String(entry)
    else delete user[field]
  }
  return user
}

function exceptionsOf(payload: Record<string, unknown>): ExceptionInfo[] {
  const container = payload.exception
  const values = Array.isArray(container)
    ? container
    : isObject(container) && Array.isArray(container.values)
      ? container.values
      : []
  // A message captured with `attachStacktrace` carries its stack in `stacktrace` or in the crashed thread.
  const threadStack = threadStacktrace(payload)
  const objects = values.filter(isObject)
  if (objects.length === 0) {
    // Python and Go send such a message without an exception: it becomes the synthetic exception (no type) that
    // the JS SDKs send, so its frames are kept.
    const frames = framesOf(threadStack)
    const message = messageOf(payload)
    return frames.length > 0 && message !== undefined ? [{ type: '', value: message, frames }] : []
  }
  return objects.map((value, index, all) => {
    const stacktrace = isObject(value.stacktrace)
      ? value.stacktrace
      : index === all.length - 1
        ? threadStack
        : undefined
    const mechanism = isObject(value.mechanism) ? value.mechanism : undefined
    return {
      type: text(value.type) ?? '',
      value: text(value.value) ?? '',
      module: text(value.module),
      mechanism: mechanism && {
        type: text(mechanism.type),
        handled: typeof mechanism.handled === 'boolean' ? mechanism.handled : undefined,
        synthetic: mechanism.synthetic === true ? true : undefined,
      },
      frames: framesOf(stacktrace),
    }
  })
}

function threadStacktrace(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isObject(payload.stacktrace)) return payload.stacktrace
  // `{values: [...]}`, or a bare list (sentry-go).
  const threads = Array.isArray(payload.threads)
    ? payload.threads
    : isObject(payload.threads) && Array.isArray(payload.threads.values)
      ? payload.threads.values
      : []
  const thread =
    threads.find((t) => isObject(t) && t.crashed === true) ??
    threads.find((t) => isObject(t) && t.current === true)
  return isObject(thread) && isObject(thread.stacktrace) ? thread.stacktrace : undefined
}

function framesOf(stacktrace: Record<string, unknown> | undefined): StackFrame[] {
  const frames = Array.isArray(stacktrace?.frames) ? stacktrace.frames : []
  return frames.filter(isObject).map((frame) => ({
    function: text(frame.function),
    module: text(frame.module),
    filename: text(frame.filename),
    abs_path: text(frame.abs_path),
    lineno: integer(frame.lineno),
    colno: integer(frame.colno),
    in_app: typeof frame.in_app === 'boolean' ? frame.in_app : undefined,
    context_line: text(frame.context_line),
    pre_context: Array.isArray(frame.pre_context) ? (frame.pre_context as string[]) : undefined,
    post_context: Array.isArray(frame.post_context) ? (frame.post_context as string[]) : undefined,
    vars: isObject(frame.vars) ? frame.vars : undefined,
  }))
}

/** `message` (a string, or `{formatted, message, params}`) or `logentry`. */
function messageOf(payload: Record<string, unknown>): string | undefined {
  for (const value of [payload.logentry, payload.message]) {
    if (typeof value === 'string' && value !== '') return value
    if (isObject(value)) {
      const formatted = text(value.formatted) ?? text(value.message)
      if (formatted) return formatted
    }
  }
  return undefined
}

function breadcrumbsOf(value: unknown): Breadcrumb[] | undefined {
  const list = Array.isArray(value)
    ? value
    : isObject(value) && Array.isArray(value.values)
      ? value.values
      : undefined
  return list?.filter(isObject).map((crumb) => ({
    timestamp: sentryTime(crumb.timestamp),
    type: text(crumb.type),
    category: text(crumb.category),
    message: text(crumb.message),
    level: text(crumb.level),
    data: isObject(crumb.data) ? crumb.data : undefined,
  }))
}

/**
 * Tags or request headers: a map or `[key, value]` pairs (Sentry sends either), scalar values as text; other
 * values are dropped.
 */
function textValues(value: unknown): Record<string, string> | undefined {
  const pairs = pairsToObject(value)
  if (!pairs) return undefined
  const result: Record<string, string> = {}
  for (const [key, entry] of Object.entries(pairs)) if (isScalar(entry)) setOwn(result, key, String(entry))
  return result
}

function pairsToObject(value: unknown): Record<string, unknown> | undefined {
  if (isObject(value)) return value
  if (!Array.isArray(value)) return undefined
  const result: Record<string, unknown> = {}
  for (const pair of value) {
    if (Array.isArray(pair) && typeof pair[0] === 'string') setOwn(result, pair[0], pair[1])
  }
  return result
}

/** `target[key] = value` as data, even for `__proto__` (an assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function queryString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  const pairs = pairsToObject(value)
  if (!pairs) return undefined
  return new URLSearchParams(
    Object.entries(pairs).flatMap(([key, v]): [string, string][] => (isScalar(v) ? [[key, String(v)]] : [])),
  ).toString()
}

/**
 * The chain as a V8-style traceback, newest frame first (what upstream clients send, what alerts and the old list
 * show). The structured frames stay in `event`.
 */
export function tracebackText(exceptions: ExceptionInfo[], message: string | undefined): string {
  if (exceptions.length === 0) return message ?? ''
  return exceptions
    .toReversed()
    .map((exception, index) => {
      // A synthetic exception (a message's stack) has no type.
      const type = exception.type || (exception.value ? 'Message' : 'Error')
      const head = `${index > 0 ? 'Caused by: ' : ''}${type}${exception.value ? `: ${exception.value}` : ''}`
      const frames = exception.frames.toReversed().map((frame) => {
        const file = frame.abs_path ?? frame.filename ?? frame.module ?? '<unknown>'
        const where = `${file}:${frame.lineno ?? 0}${frame.colno !== undefined ? `:${frame.colno}` : ''}`
        return `    at ${frame.function ? `${frame.function} (${where})` : where}`
      })
      return [head, ...frames].join('\n')
    })
    .join('\n')
}

/** A Map, not an object: a level named `constructor` or `__proto__` must not find Object's. */
const LOG_LEVELS = new Map([
  ['trace', 'DEBUG'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['warn', 'WARNING'],
  ['warning', 'WARNING'],
  ['error', 'ERROR'],
  ['fatal', 'CRITICAL'],
])

/** A `log` item (`{items: [{timestamp, level, body, trace_id, attributes: {k: {value, type}}}]}`). */
export function mapLogs(payload: unknown, context: MapContext): LogEntry[] {
  const items = isObject(payload) && Array.isArray(payload.items) ? payload.items : []
  return items.filter(isObject).map((item) => {
    // Sentry's typed attributes (`{"value": …, "type": …}`) as plain values.
    const attributes = boundedCopy(isObject(item.attributes) ? item.attributes : {}, (attribute) =>
      isObject(attribute) && 'value' in attribute ? attribute.value : attribute,
    )
    const traceId = text(item.trace_id)
    if (traceId) attributes.trace_id = traceId
    if (typeof item.severity_number === 'number') attributes.severity_number = item.severity_number
    const service = text(attributes['service.name'])
    const level = typeof item.level === 'string' ? LOG_LEVELS.get(item.level.toLowerCase()) : undefined
    return {
      message: storable(typeof item.body === 'string' ? item.body : JSON.stringify(item.body ?? '')),
      container: storable((service ?? context.project).slice(0, 200)),
      timestamp: clientTime(sentryTime(item.timestamp), context),
      stream: 'sentry',
      ...(level && { level }),
      attributes,
    }
  })
}

/** Final and error states; browser SDKs mark a session with an unhandled error `unhandled` and never end it. */
const SESSION_STATUSES = new Set(['exited', 'crashed', 'abnormal', 'errored', 'unhandled'])

/**
 * `session` and `sessions` items as counters: `sentry_sessions_started_total`, and per status
 * `sentry_sessions_total{status}` — the crash-free rate is `1 - (crashed + unhandled) / started`. Users (`did`) are counted the same
 * way in `sentry_session_users_total{status}` once per session update that ends a session.
 */
export function mapSessions(
  type: 'session' | 'sessions',
  payload: unknown,
  context: MapContext,
): MetricPoint[] {
  if (!isObject(payload)) return []
  const attrs = isObject(payload.attrs) ? payload.attrs : {}
  const labels = releaseLabels(attrs)
  const points: MetricPoint[] = []
  const counter = (name: string, value: number, extra: Record<string, string> = {}, at?: number) => {
    if (value > 0) {
      points.push({
        name,
        type: 'counter',
        value,
        labels: { ...labels, ...extra },
        project: context.project,
        timestamp: clientTime(at, context),
      })
    }
  }
  if (type === 'session') {
    const status = text(payload.status) ?? 'ok'
    const at = sentryTime(payload.timestamp)
    if (payload.init === true) counter('sentry_sessions_started_total', 1, {}, at)
    if (SESSION_STATUSES.has(status)) {
      counter('sentry_sessions_total', 1, { status }, at)
      if (payload.did !== undefined) counter('sentry_session_users_total', 1, { status }, at)
    }
    return points
  }
  for (const aggregate of Array.isArray(payload.aggregates) ? payload.aggregates : []) {
    if (!isObject(aggregate)) continue
    const at = sentryTime(aggregate.started)
    let started = 0
    for (const status of ['exited', 'errored', 'abnormal', 'crashed']) {
      const count = quantityOf(aggregate[status])
      started += count
      counter('sentry_sessions_total', count, { status }, at)
    }
    counter('sentry_sessions_started_total', started, {}, at)
  }
  return points
}

/** A `client_report`: what the SDK dropped and why, as `sentry_client_discarded_events_total{reason,category}`. */
export function mapClientReport(payload: unknown, context: MapContext): MetricPoint[] {
  const discarded =
    isObject(payload) && Array.isArray(payload.discarded_events) ? payload.discarded_events : []
  return discarded.filter(isObject).flatMap((entry) => {
    const quantity = quantityOf(entry.quantity)
    if (quantity <= 0) return []
    return [
      {
        name: 'sentry_client_discarded_events_total',
        type: 'counter' as const,
        value: quantity,
        labels: {
          reason: (text(entry.reason) ?? 'unknown').slice(0, 100),
          category: (text(entry.category) ?? 'unknown').slice(0, 100),
        },
        project: context.project,
        timestamp: context.now,
      },
    ]
  })
}

/**
 * A `transaction` as RED metrics. Server transactions (`op: http.server`) feed the standard HTTP metrics the
 * dashboard reads (`http_requests_total`, `http_request_duration_seconds`, labels method / status / endpoint);
 * every transaction also counts in `sentry_transactions_total` and `sentry_transaction_duration_seconds`
 * (labels transaction, op, status), so error rates and percentiles per transaction name are there.
 */
export function mapTransaction(payload: unknown, context: MapContext): MetricPoint[] {
  if (!isObject(payload)) return []
  const start = sentryTime(payload.start_timestamp)
  const end = sentryTime(payload.timestamp)
  if (start === undefined || end === undefined || end < start) return []
  const contexts = isObject(payload.contexts) ? payload.contexts : {}
  const trace = isObject(contexts.trace) ? contexts.trace : {}
  const name = (text(payload.transaction) ?? '<unnamed>').slice(0, 200)
  const op = (text(trace.op) ?? 'default').slice(0, 100)
  const status = (text(trace.status) ?? 'ok').slice(0, 50)
  return redPoints({ name, op, status, seconds: (end - start) / 1000, at: end, payload, trace }, context)
}

/** A streamed `span` item (`{items: [...]}` or one span): segment spans count as transactions. */
export function mapSpans(payload: unknown, context: MapContext): MetricPoint[] {
  const spans = isObject(payload) && Array.isArray(payload.items) ? payload.items : [payload]
  return spans.filter(isObject).flatMap((span) => {
    if (span.is_segment === false) return []
    const start = sentryTime(span.start_timestamp)
    const end = sentryTime(span.end_timestamp ?? span.timestamp)
    if (start === undefined || end === undefined || end < start) return []
    const attributes = isObject(span.attributes) ? span.attributes : {}
    const attribute = (key: string) => {
      const value = attributes[key]
      return isObject(value) ? value.value : value
    }
    const name = (text(span.name) ?? text(span.description) ?? '<unnamed>').slice(0, 200)
    const op = (text(span.op) ?? text(attribute('sentry.op')) ?? 'default').slice(0, 100)
    const status = (text(span.status) ?? 'ok').slice(0, 50)
    return redPoints(
      {
        name,
        op,
        status,
        seconds: (end - start) / 1000,
        at: end,
        payload: span,
        trace: { data: attributes },
      },
      context,
    )
  })
}

function redPoints(
  tx: {
    name: string
    op: string
    status: string
    seconds: number
    at: number
    payload: Record<string, unknown>
    trace: Record<string, unknown>
  },
  context: MapContext,
): MetricPoint[] {
  const base = { project: context.project, timestamp: clientTime(tx.at, context) }
  const labels = { transaction: tx.name, op: tx.op, status: tx.status, ...releaseLabels(tx.payload) }
  const points: MetricPoint[] = [
    { name: 'sentry_transactions_total', type: 'counter', value: 1, labels, ...base },
    { name: 'sentry_transaction_duration_seconds', type: 'histogram', value: tx.seconds, labels, ...base },
  ]
  if (tx.op === 'http.server') {
    const data = isObject(tx.trace.data) ? tx.trace.data : {}
    const plain = (key: string) => {
      const value = data[key]
      return isObject(value) ? value.value : value
    }
    const request = isObject(tx.payload.request) ? tx.payload.request : {}
    const tags = textValues(tx.payload.tags) ?? {}
    const [method, ...path] = tx.name.split(' ')
    const httpMethod = (text(plain('http.request.method')) ??
      text(plain('http.method')) ??
      text(request.method) ??
      (path.length > 0 ? method : 'GET'))!
    const sent = plain('http.response.status_code') ?? tags['http.status_code']
    const statusCode = isScalar(sent) ? sent : tx.status === 'ok' ? 200 : 500
    const http = {
      method: httpMethod.toUpperCase().slice(0, 16),
      status: String(statusCode).slice(0, 3),
      endpoint: (path.length > 0 ? path.join(' ') : tx.name).slice(0, 200),
      source: 'sentry',
    }
    points.push(
      { name: 'http_requests_total', type: 'counter', value: 1, labels: http, ...base },
      { name: 'http_request_duration_seconds', type: 'histogram', value: tx.seconds, labels: http, ...base },
    )
  }
  return points
}

/** A `check_in` (cron monitors): kept as a log entry with every field, and counted per monitor and status. */
export function mapCheckIn(
  payload: unknown,
  context: MapContext,
): { log: LogEntry; metric: MetricPoint } | undefined {
  if (!isObject(payload)) return undefined
  const slug = text(payload.monitor_slug)
  const status = text(payload.status)
  if (!slug || !status) return undefined
  const duration = typeof payload.duration === 'number' ? payload.duration : undefined
  return {
    log: {
      message: storable(
        `check-in ${slug}: ${status}${duration !== undefined ? ` (${duration.toFixed(3)} s)` : ''}`,
      ),
      container: 'sentry-check-ins',
      timestamp: context.now,
      stream: 'sentry',
      level: status === 'error' ? 'ERROR' : 'INFO',
      attributes: { ...boundedCopy(payload), project: context.project },
    },
    metric: {
      name: 'sentry_check_ins_total',
      type: 'counter',
      value: 1,
      labels: {
        monitor_slug: slug.slice(0, 100),
        status: status.slice(0, 20),
        ...(text(payload.environment) && { environment: text(payload.environment)!.slice(0, 100) }),
      },
      project: context.project,
      timestamp: context.now,
    },
  }
}

/** Metric points older than this are a broken clock (the metrics store refuses them). */
/**
 * A copy of `source` for a store's free-form JSON field (log attributes, error `extra`), each value through
 * `read`; a value nested too deep for the store (which would refuse the whole entry or batch) becomes a note, so
 * the rest is kept. Own keys only, `__proto__` included as data.
 */
function boundedCopy(
  source: Record<string, unknown>,
  read: (value: unknown) => unknown = (value) => value,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(source)) {
    const value = read(raw)
    // The attributes object is a level itself.
    const tooDeep = nestsDeeperThan(value, MAX_JSON_DEPTH - 1)
    setOwn(attributes, key, tooDeep ? `[nested deeper than ${MAX_JSON_DEPTH} levels]` : value)
  }
  return attributes
}

const MIN_POINT_TIME = Date.UTC(2000, 0, 1)

/**
 * The time of a metric point or log entry: the SDK's, but the receipt time when the SDK's is after it or before
 * 2000. A client clock running ahead would put data in the future, which the stores refuse (more than a day
 * ahead: the whole batch) and lists and dashboards misplace.
 */
function clientTime(at: number | undefined, context: MapContext): number {
  return at === undefined || at > context.now || at < MIN_POINT_TIME ? context.now : at
}

function releaseLabels(source: Record<string, unknown>): Record<string, string> {
  const labels: Record<string, string> = {}
  const release = text(source.release)
  const environment = text(source.environment)
  if (release) labels.release = release.slice(0, 100)
  if (environment) labels.environment = environment.slice(0, 100)
  return labels
}

/** Cut to at most `max` UTF-8 bytes, never inside a character. */
function clipBytes(value: string, max: number): string {
  if (value.length * 3 <= max || Buffer.byteLength(value) <= max) return value
  let result = ''
  let size = 0
  for (const char of value) {
    size += Buffer.byteLength(char)
    if (size > max) break
    result += char
  }
  return result
}

/** PostgreSQL text cannot hold NUL: U+FFFD instead, on every dialect alike (as the error tracker stores it). */
function storable(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A count an SDK reports: a u32 as in Relay, else 0 (1e308 "sessions" would overflow every sum). */
function quantityOf(value: unknown): number {
  const count = integer(value)
  return count !== undefined && count > 0 && count <= 0xffff_ffff ? count : 0
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
