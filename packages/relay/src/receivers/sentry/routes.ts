import { inflateSync } from 'node:zlib'
import { createCors, type Logger, MonlightError, readBytes, readQuery, routeMeta } from '@monlight/core'
import type { H3, H3Event } from 'h3'
import type { Forwarder } from '../../service/forward.js'
import type { DsnKey, RelayService } from '../../service/service.js'
import type { Edge } from '../edge.js'
import {
  type MapContext,
  mapCheckIn,
  mapClientReport,
  mapDebugIds,
  mapEvent,
  mapLogs,
  mapSessions,
  mapSpans,
  mapTransaction,
  tracebackText,
} from './map.js'
import { type Envelope, type EnvelopeItem, parseEnvelope, parseJsonPayload } from './parse.js'

/** Item types accepted and dropped; the 200 tells SDKs (X-Sentry-Rate-Limits) to stop sending them for a day. */
const DROPPED = new Set([
  'attachment',
  'profile',
  'profile_chunk',
  'replay_event',
  'replay_recording',
  'replay_video',
])
const DROPPED_HINT = '86400:attachment;profile;profile_chunk;replay:project:not_stored'
/** Bugsink's list: what Sentry SDKs and tunnels may send on a cross-origin request. */
const ALLOW_HEADERS = [
  'Content-Type',
  'X-Sentry-Auth',
  'X-Requested-With',
  'Origin',
  'Accept',
  'Authentication',
  'Authorization',
  'Content-Encoding',
  'sentry-trace',
  'baggage',
]
const EXPOSE_HEADERS = ['x-sentry-error', 'x-sentry-rate-limits', 'retry-after']

export interface SentryLimits {
  maxBodyBytes: number
  maxDecodedBytes: number
  maxItemBytes: number
  tunnelPath: string
}

export interface SentryRoutesDeps {
  service: RelayService
  forwarder: Forwarder
  edge: Edge
  limits: SentryLimits
  /** The relay's requests per minute per key, applied to browser requests (with an `Origin`) of keys without their own. */
  rateLimit: number | false
  logger: Logger
  now: () => number
}

/**
 * The Sentry ingestion protocol on the relay: `POST /api/<project id>/envelope/`, `POST /api/<project id>/store/`
 * and the tunnel, authenticated by project (DSN) keys, for every Sentry SDK. Parse → map → forward; nothing is
 * stored here.
 */
export function mountSentryRoutes(app: H3, deps: SentryRoutesDeps): void {
  const { service, forwarder, edge, logger } = deps
  // Preflights carry no key, so any origin may ask; the request itself is checked against its key's origins.
  const cors = createCors({ origins: 'any', allowHeaders: ALLOW_HEADERS, exposeHeaders: EXPOSE_HEADERS })
  const meta = routeMeta({ public: true, bodyLimit: deps.limits.maxBodyBytes })

  const preflight = (event: H3Event) => cors.handle(event) ?? new Response(null, { status: 204 })

  /** Auth, project, origin and rate limit for a request whose key candidates are known. */
  const admit = async (
    event: H3Event,
    candidates: KeyCandidate[],
    projectId: number | undefined,
  ): Promise<DsnKey> => {
    const publicKey = agreeingKey(candidates)
    // PostgreSQL text cannot hold NUL: no key has one, and looking one up would be a 500.
    if (publicKey?.includes('\u0000')) {
      throw new MonlightError('UNAUTHORIZED', 'Unknown DSN key: a DSN key never holds a NUL character')
    }
    const key = await service.authenticate(publicKey)
    if (!key) throw await service.refusal(publicKey)
    if (projectId !== undefined && projectId !== key.project_id) {
      throw new MonlightError(
        'FORBIDDEN',
        `DSN key ${key.public_key} belongs to project ${key.project_id} (${key.project}), not ${projectId}: use the DSN that ends in /${key.project_id}`,
      )
    }
    edge.checkOrigin(event, key)
    const decision = edge.take(key, event.req.headers.has('origin') ? deps.rateLimit : false)
    if (decision && !decision.allowed) {
      const seconds = String(decision.retryAfterSeconds)
      throw new MonlightError('RATE_LIMITED', 'Rate limit exceeded for this DSN key', {
        body: { retry_after: decision.retryAfterSeconds },
        headers: { 'retry-after': seconds, 'x-sentry-rate-limits': `${seconds}::key` },
      })
    }
    return key
  }

  const readBody = (event: H3Event) =>
    readBytes(event, { limit: deps.limits.maxBodyBytes, decodedLimit: deps.limits.maxDecodedBytes })

  const envelope = async (event: H3Event) => {
    const early = cors.handle(event)
    if (early) return early
    const projectId = readProjectId(event)
    const candidates = requestKeys(event)
    const body = await readBody(event)
    const parsed = parseEnvelope(body, { maxItemBytes: deps.limits.maxItemBytes })
    const fromHeader = dsnKey(parsed.header.dsn)
    if (fromHeader) candidates.push({ source: 'the envelope header dsn', key: fromHeader.key })
    const key = await admit(event, candidates, projectId)
    return answer(event, await receive(key, parsed))
  }

  const tunnel = async (event: H3Event) => {
    const early = cors.handle(event)
    if (early) return early
    const parsed = parseEnvelope(await readBody(event), { maxItemBytes: deps.limits.maxItemBytes })
    // The tunnel only ever delivers here: a DSN naming another host is taken as naming this relay (its key and
    // project decide), never forwarded (no SSRF).
    const dsn = dsnKey(parsed.header.dsn)
    if (!dsn) {
      throw new MonlightError(
        'BAD_REQUEST',
        'A tunnelled envelope needs a dsn in its header (the Sentry SDK writes it when the tunnel option is set)',
      )
    }
    const key = await admit(event, [{ source: 'the envelope header dsn', key: dsn.key }], dsn.projectId)
    return answer(event, await receive(key, parsed))
  }

  const store = async (event: H3Event) => {
    const early = cors.handle(event)
    if (early) return early
    const projectId = readProjectId(event)
    const candidates = requestKeys(event)
    const key = await admit(event, candidates, projectId)
    const { payload, text } = parseStoreBody(await readBody(event), deps.limits.maxItemBytes)
    const outcome = await receive(key, {
      header: { event_id: typeof payload.event_id === 'string' ? payload.event_id : undefined },
      // The text as sent, not re-serialized: JSON.stringify overflows the stack on deeply nested input.
      items: [{ type: 'event', index: 1, header: {}, payload: Buffer.from(text) }],
      skipped: [],
    })
    if (outcome.failure) throw outcome.failure
    return answer(event, outcome)
  }

  interface Outcome {
    id: string | null
    skipped: string[]
    /** The first event's refusal, for `/store/` (one event, so its answer). */
    failure?: MonlightError
  }

  /** Maps and forwards every item; an item that cannot be used is skipped and counted, as Sentry Relay does. */
  const receive = async (key: DsnKey, parsed: Envelope): Promise<Outcome> => {
    const context: MapContext = { project: key.project, now: deps.now() }
    const skipped = [...parsed.skipped]
    let id = typeof parsed.header.event_id === 'string' ? parsed.header.event_id : null
    let failure: MonlightError | undefined
    for (const item of parsed.items) {
      try {
        const eventId = await receiveItem(key, item, context)
        id ??= eventId ?? null
      } catch (error) {
        // The backend is unavailable: the envelope is not acknowledged, the SDK may send it again.
        if (MonlightError.is(error) && error.status >= 500) throw error
        const reason = MonlightError.is(error) ? error.message : 'could not be read'
        failure ??= MonlightError.is(error) ? error : undefined
        skipped.push(`item ${item.index} (${item.type}): ${reason}`)
        logger.warn('sentry item skipped', { type: item.type, reason, project: key.project })
      }
    }
    return { id, skipped, ...(failure && { failure }) }
  }

  const receiveItem = async (
    key: DsnKey,
    item: EnvelopeItem,
    context: MapContext,
  ): Promise<string | undefined> => {
    if (DROPPED.has(item.type)) return undefined
    const payload = item.type === 'event' || KNOWN_JSON.has(item.type) ? json(item) : undefined
    switch (item.type) {
      case 'event': {
        const report = mapEvent(payload, context)
        if (!report) throw invalidItem('the event is not a JSON object')
        const exceptions = report.event?.exceptions
        if (report.event && exceptions?.length) {
          report.event.exceptions = await service.symbolicate(
            key,
            { release: report.event.release, debugIds: mapDebugIds(payload) },
            exceptions,
          )
          report.traceback = tracebackText(report.event.exceptions, report.event.message)
        }
        await forwarder.error(report)
        return report.event?.event_id
      }
      case 'log':
        if (forwarder.acceptsLogs) await forwarder.logs(mapLogs(payload, context))
        else throw invalidItem('no log store is configured for this relay')
        return undefined
      case 'session':
      case 'sessions':
        await forwardMetrics(mapSessions(item.type, payload, context))
        return undefined
      case 'client_report':
        await forwardMetrics(mapClientReport(payload, context))
        return undefined
      case 'transaction':
        await forwardMetrics(mapTransaction(payload, context))
        return undefined
      case 'span':
        await forwardMetrics(mapSpans(payload, context))
        return undefined
      case 'check_in': {
        const checkIn = mapCheckIn(payload, context)
        if (!checkIn) throw invalidItem('a check-in needs monitor_slug and status')
        await forwardMetrics([checkIn.metric])
        if (forwarder.acceptsLogs) await forwarder.logs([checkIn.log])
        return undefined
      }
      default:
        // Unknown types are skipped, never an error: newer SDKs send types this relay does not know yet.
        return undefined
    }
  }

  const forwardMetrics = async (points: Parameters<Forwarder['metrics']>[0]) => {
    if (points.length > 0) await forwarder.metrics(points)
  }

  const answer = (event: H3Event, outcome: Outcome) => {
    event.res.headers.set('x-sentry-rate-limits', DROPPED_HINT)
    return { id: outcome.id, ...(outcome.skipped.length > 0 && { skipped: outcome.skipped.slice(0, 20) }) }
  }

  for (const path of ['/api/:projectId/envelope', '/api/:projectId/envelope/']) {
    app.post(path, envelope, meta)
    app.options(path, preflight, meta)
  }
  for (const path of ['/api/:projectId/store', '/api/:projectId/store/']) {
    app.post(path, store, meta)
    app.options(path, preflight, meta)
  }
  app.post(deps.limits.tunnelPath, tunnel, meta)
  app.options(deps.limits.tunnelPath, preflight, meta)
}

const KNOWN_JSON = new Set(['log', 'session', 'sessions', 'client_report', 'transaction', 'span', 'check_in'])

function json(item: EnvelopeItem): unknown {
  const value = parseJsonPayload(item)
  if (value === undefined) throw invalidItem('its payload is not valid JSON')
  return value
}

/**
 * The in-process forwarder wraps every failure of a store in a 502; a store's 4xx there is its refusal of this
 * item (a validation failure), which retrying cannot fix: it skips the item, as a mapping failure does.
 */
function invalidItem(reason: string): MonlightError {
  return new MonlightError('BAD_REQUEST', reason)
}

interface KeyCandidate {
  source: string
  key: string
}

/** The key from `?sentry_key=`, `X-Sentry-Auth: Sentry sentry_key=…`, and `Authorization: Sentry …` or `DSN …`. */
function requestKeys(event: H3Event): KeyCandidate[] {
  const candidates: KeyCandidate[] = []
  const query = readQuery(event).sentry_key
  if (query) candidates.push({ source: 'the sentry_key query parameter', key: query })
  const header = event.req.headers.get('x-sentry-auth')
  const fromHeader = header ? authField(header, 'sentry_key') : undefined
  if (fromHeader) candidates.push({ source: 'the X-Sentry-Auth header', key: fromHeader })
  const authorization = event.req.headers.get('authorization')
  if (authorization) {
    const dsn = /^DSN\s+(\S+)/i.exec(authorization)
    const key = dsn ? dsnKey(dsn[1])?.key : authField(authorization, 'sentry_key')
    if (key) candidates.push({ source: 'the Authorization header', key })
  }
  return candidates
}

/** `Sentry sentry_key=abc, sentry_version=7` → `abc`. */
function authField(header: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s,])${name}=([^,\\s]+)`).exec(header.replace(/^Sentry\s+/i, ' '))
  return match?.[1]
}

/** Several places may name the key; Sentry's rule is that they agree. */
function agreeingKey(candidates: KeyCandidate[]): string | undefined {
  const [first, ...rest] = candidates
  const other = rest.find((candidate) => candidate.key !== first?.key)
  if (first && other) {
    throw new MonlightError(
      'FORBIDDEN',
      `The DSN key in ${first.source} (${first.key.slice(0, 64)}) differs from the one in ${other.source} (${other.key.slice(0, 64)}): send one key`,
    )
  }
  return first?.key
}

/** A DSN's key and project id: `https://<key>@host[/path]/<id>`; undefined when it is not one. */
export function dsnKey(dsn: unknown): { key: string; projectId: number } | undefined {
  if (typeof dsn !== 'string' || dsn.length > 2048) return undefined
  let url: URL
  try {
    url = new URL(dsn)
  } catch {
    return undefined
  }
  const projectId = Number(url.pathname.split('/').filter(Boolean).at(-1))
  if (!url.username || !Number.isSafeInteger(projectId) || projectId < 1) return undefined
  let key: string
  try {
    key = decodeURIComponent(url.username)
  } catch {
    return undefined // a malformed escape (`%E0%A4%A`) is not a key
  }
  return { key, projectId }
}

function readProjectId(event: H3Event): number {
  const raw = event.context.params?.projectId ?? ''
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0
  if (id < 1) {
    throw new MonlightError(
      'BAD_REQUEST',
      `Invalid project id '${raw.slice(0, 64)}': the last part of a DSN is a number`,
    )
  }
  return id
}

/**
 * A `/store/` body: JSON, or the base64 of zlib-deflated JSON that old SDKs (raven) send.
 */
function parseStoreBody(body: Buffer, maxBytes: number): { payload: Record<string, unknown>; text: string } {
  let text = body.toString('utf8').trim()
  if (text !== '' && !text.startsWith('{')) {
    try {
      text = inflateSync(Buffer.from(text, 'base64'), { maxOutputLength: maxBytes }).toString('utf8')
    } catch {
      throw new MonlightError('INVALID_JSON', 'The event is neither JSON nor base64 of deflated JSON')
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'The event is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MonlightError('VALIDATION_FAILED', 'The event must be a JSON object')
  }
  return { payload: value as Record<string, unknown>, text }
}
