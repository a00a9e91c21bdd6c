import type { ErrorEvent, ErrorIngest, ErrorIngestResult, ErrorReport, Logger } from '@monlight/core'
import { MonlightError } from '@monlight/core'
import type { AlertDispatcher } from '../alerts/dispatcher.js'
import {
  type ErrorsStore,
  type EventSummaryRow,
  type GroupRow,
  type GroupStatus,
  isMuted,
  type ListFilter,
  type OccurrenceRow,
} from '../store/store.js'
import { createSpikeDetector, type SpikeRule } from './spikes.js'
import { type CaptureContext, describeError } from './traceback.js'
import { eventFromTraceback } from './traceback-frames.js'
import { toStoredReport } from './validate.js'

/** An error group as `GET /api/errors` lists it. */
export interface ErrorSummary {
  id: number
  fingerprint: string
  project: string
  exception_type: string
  message: string
  count: number
  first_seen: string
  last_seen: string
  resolved: boolean
  source: 'browser' | 'server'
  /** `unresolved`, `resolved`, or `ignored` (muted and not yet run out). */
  status: GroupStatus
  level: string | null
  platform: string | null
  /** Where it happened: the transaction or the innermost in-app frame. */
  culprit: string | null
  first_release: string | null
  last_release: string | null
  resolved_in_release: string | null
  ignored_until: string | null
  ignored_until_count: number | null
  /** Reports per hour over the last 24 hours, oldest first (the list's sparkline). */
  sparkline?: number[]
}

export interface Occurrence {
  /** The occurrence's number within its group: 1 for the first report (upstream: a global row id). */
  id: number
  timestamp: string
  request_url: string | null
  request_method: string | null
  request_headers: unknown
  user_id: string | null
  extra: unknown
  traceback: string
  environment: string | null
  event_id: string | null
  release: string | null
  level: string | null
  /**
   * The structured event (exception chain, frames, breadcrumbs, tags, contexts...). Upstream reports (no `event`)
   * get one parsed from their traceback text, marked `derived: true` (`DerivedEvent` of traceback-frames.ts).
   */
  event: (ErrorEvent & { truncated?: string[]; derived?: true }) | null
}

/** A kept event in the group's event list. */
export interface EventSummary {
  id: number
  timestamp: string
  event_id: string | null
  release: string | null
  environment: string | null
  level: string | null
  request_url: string | null
  user_id: string | null
}

/** `GET /api/errors/{id}`: a flat object, as upstream. */
export interface ErrorDetail extends ErrorSummary {
  traceback: string
  resolved_at: string | null
  occurrences: Occurrence[]
  /** Tag facets: per key, the most frequent values with their counts. */
  tags: { key: string; values: { value: string; count: number }[] }[]
  /** Reports per day over the last 30 days, oldest first: `[{ date: 'YYYY-MM-DD', count }]`. */
  histogram: { date: string; count: number }[]
  /** How many events the group keeps (the newest). */
  events_kept: number
}

export interface ErrorList {
  errors: ErrorSummary[]
  total: number
  limit: number
  offset: number
}

export interface ErrorsService extends ErrorIngest {
  /** Stores a report (the body of `POST /api/errors`); invalid reports throw a 400 `MonlightError`. */
  ingest(report: ErrorReport): Promise<ErrorIngestResult>
  /** Reports a thrown value from this process: same traceback text and fingerprint as an HTTP client's. */
  capture(error: unknown, context?: CaptureContext): Promise<ErrorIngestResult>
  list(filter: ListFilter): Promise<ErrorList>
  /** `NOT_FOUND` when there is no such group. */
  get(id: number): Promise<ErrorDetail>
  /** `inRelease`: only reports of a later release reopen the group. */
  resolve(id: number, options?: { inRelease?: string }): Promise<{ status: 'resolved'; id: number }>
  unresolve(id: number): Promise<{ status: 'unresolved'; id: number }>
  /** Ignores a group: forever, until a time (epoch ms or ISO), or until `count` more reports. */
  ignore(id: number, until?: IgnoreUntil): Promise<{ status: 'ignored'; id: number }>
  unignore(id: number): Promise<{ status: 'unresolved'; id: number }>
  /** One action on many groups; unknown ids are skipped and listed. */
  bulk(input: unknown): Promise<{ status: string; ids: number[]; not_found: number[] }>
  /** The kept events of a group, newest first; `before`: an event number to page from. */
  events(id: number, options?: { limit?: number; before?: number }): Promise<{ events: EventSummary[] }>
  /** One kept event, with the numbers of the previous and next kept events. */
  event(id: number, seq: number): Promise<Occurrence & { previous: number | null; next: number | null }>
  /** Environments and releases seen, for the list's selects. */
  facets(project?: string): Promise<{ environments: string[]; releases: string[] }>
  projects(): Promise<{ projects: string[] }>
  /** Deletes groups resolved more than `retentionDays` ago (returns how many), and events beyond `keepEvents`. */
  applyRetention(): Promise<number>
}

export interface ServiceDependencies {
  store: ErrorsStore
  alerts: AlertDispatcher
  now: () => number
  logger: Logger
  /** Project for `capture()` without one. */
  project: string
  retentionDays: number
  /** Events kept per group. */
  keepEvents: number
  /** "N events in T minutes" alerts for a group. */
  spikes?: SpikeRule[]
}

export interface IgnoreUntil {
  /** Epoch ms or an ISO 8601 time. */
  until?: number | string
  /** This many more reports. */
  count?: number
}

export const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const MAX_BULK = 500

export function createErrorsService(deps: ServiceDependencies): ErrorsService {
  const { store, alerts, now } = deps

  const notFound = () => new MonlightError('NOT_FOUND', 'Error not found')
  const spikes = createSpikeDetector(deps.spikes ?? [], now)
  const alertOf = (stored: ReturnType<typeof toStoredReport>) => ({
    project: stored.project,
    exception_type: stored.exception_type,
    message: stored.message,
    traceback: stored.traceback,
    request_method: stored.request_method,
    request_url: stored.request_url,
    environment: stored.environment,
  })

  const service: ErrorsService = {
    async ingest(report) {
      const time = now()
      const stored = toStoredReport(report, time)
      const outcome = await store.ingest(stored, time)
      if (outcome.status === 'duplicate')
        return { status: 'incremented', id: outcome.id, count: outcome.count }
      const spike = spikes.record(outcome.id)
      if (outcome.status === 'incremented') {
        if (spike && !outcome.muted) {
          alerts.notify({ kind: 'spike', id: outcome.id, count: outcome.count, spike, ...alertOf(stored) })
        }
        return { status: 'incremented', id: outcome.id, count: outcome.count }
      }
      alerts.notify({ kind: outcome.status, id: outcome.id, count: outcome.count, ...alertOf(stored) })
      return outcome.status === 'created'
        ? { status: 'created', id: outcome.id, fingerprint: stored.fingerprint }
        : outcome
    },

    capture(error, context = {}) {
      return service.ingest({ project: deps.project, ...context, ...describeError(error) })
    },

    async list(filter) {
      const time = now()
      const { rows, total } = await store.list({ ...filter, now: time })
      const hourNow = Math.floor(time / HOUR_MS)
      const hours = await store.hours(
        rows.map((row) => row.id),
        hourNow - 23,
      )
      const sparklines = new Map<number, number[]>()
      for (const { group_id, hour, count } of hours) {
        const line = sparklines.get(group_id) ?? new Array<number>(24).fill(0)
        sparklines.set(group_id, line)
        const index = hour - (hourNow - 23)
        if (index >= 0 && index < 24) line[index]! += count
      }
      return {
        errors: rows.map((row) => ({
          ...toSummary(row, time),
          sparkline: sparklines.get(row.id) ?? new Array<number>(24).fill(0),
        })),
        total,
        limit: filter.limit,
        offset: filter.offset,
      }
    },

    async get(id) {
      const time = now()
      const found = await store.get(id)
      if (!found) throw notFound()
      const { group, occurrences } = found
      const firstDay = Math.floor(time / DAY_MS) - 29
      const [tags, hours] = await Promise.all([store.tags(id), store.hours([id], firstDay * 24)])
      const days = new Array<number>(30).fill(0)
      for (const { hour, count } of hours) {
        const index = Math.floor(hour / 24) - firstDay
        if (index >= 0 && index < 30) days[index]! += count
      }
      const byKey = new Map<string, { value: string; count: number }[]>()
      for (const tag of tags) {
        const values = byKey.get(tag.key) ?? []
        byKey.set(tag.key, values)
        values.push({ value: tag.value, count: tag.count })
      }
      return {
        ...toSummary(group, time),
        traceback: group.traceback,
        resolved_at: group.resolved_at === null ? null : isoSeconds(group.resolved_at),
        occurrences: occurrences.map((row) => toOccurrence(row, group)),
        tags: [...byKey].map(([key, values]) => ({ key, values })),
        histogram: days.map((count, i) => ({
          date: new Date((firstDay + i) * DAY_MS).toISOString().slice(0, 10),
          count,
        })),
        events_kept: deps.keepEvents,
      }
    },

    async events(id, options = {}) {
      const limit = Math.min(Math.max(1, options.limit ?? 50), 200)
      if (!(await store.get(id))) throw notFound()
      return { events: (await store.events(id, limit, options.before)).map(toEventSummary) }
    },

    async event(id, seq) {
      const found = await store.event(id, seq)
      if (!found)
        throw new MonlightError('NOT_FOUND', `Event ${seq} of error ${id} is not kept (or never was)`)
      return { ...toOccurrence(found.row, found.group), previous: found.previous, next: found.next }
    },

    async resolve(id, options = {}) {
      const inRelease = options.inRelease?.trim() || null
      if (inRelease !== null && inRelease.length > 200) {
        throw new MonlightError('VALIDATION_FAILED', "Field 'in_release' must be at most 200 characters")
      }
      if (!(await store.resolve(id, now(), inRelease))) throw notFound()
      return { status: 'resolved', id }
    },

    async ignore(id, until = {}) {
      const [changed] = await store.mute([id], parseIgnore(until))
      if (changed === undefined) throw notFound()
      return { status: 'ignored', id }
    },

    async unignore(id) {
      const [changed] = await store.mute([id], null)
      if (changed === undefined) throw notFound()
      return { status: 'unresolved', id }
    },

    async bulk(input) {
      const { ids, action, until } = parseBulk(input)
      let changed: number[]
      if (action === 'ignore' || action === 'unignore') {
        changed = await store.mute(ids, action === 'ignore' ? parseIgnore(until ?? {}) : null)
      } else {
        changed = []
        for (const id of ids) {
          const done = action === 'resolve' ? await store.resolve(id, now()) : await store.unresolve(id)
          if (done) changed.push(id)
        }
      }
      const found = new Set(changed)
      return {
        status: action === 'resolve' ? 'resolved' : action === 'ignore' ? 'ignored' : 'unresolved',
        ids: changed,
        not_found: ids.filter((id) => !found.has(id)),
      }
    },

    async facets(project) {
      const [environments, releases] = await Promise.all([
        store.environments(project),
        store.facetValues('release', project),
      ])
      return { environments, releases }
    },

    async unresolve(id) {
      if (!(await store.unresolve(id))) throw notFound()
      return { status: 'unresolved', id }
    },

    async projects() {
      return { projects: await store.projects() }
    },

    async applyRetention() {
      const unkept = await store.deleteUnkeptEvents()
      if (unkept > 0) deps.logger.info('retention deleted events beyond keepEvents', { deleted: unkept })
      const deleted = await store.deleteResolvedBefore(now() - deps.retentionDays * DAY_MS)
      if (deleted > 0)
        deps.logger.info('retention deleted resolved errors', { deleted, days: deps.retentionDays })
      return deleted
    },
  }
  return service
}

function toSummary(row: GroupRow, time: number): ErrorSummary {
  const ignored = isMuted(row, time)
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    project: row.project,
    exception_type: row.exception_type,
    message: row.message,
    count: row.count,
    first_seen: isoSeconds(row.first_seen),
    last_seen: isoSeconds(row.last_seen),
    resolved: row.resolved === 1,
    source: row.browser === 1 ? 'browser' : 'server',
    status: row.resolved === 1 ? 'resolved' : ignored ? 'ignored' : 'unresolved',
    level: row.level,
    platform: row.platform,
    culprit: row.culprit,
    first_release: row.first_release,
    last_release: row.last_release,
    resolved_in_release: row.resolved_in_release,
    ignored_until: ignored && row.muted_until !== null ? isoSeconds(row.muted_until) : null,
    ignored_until_count: ignored ? row.muted_until_count : null,
  }
}

function toEventSummary(row: EventSummaryRow): EventSummary {
  return {
    id: row.seq,
    timestamp: isoSeconds(row.timestamp),
    event_id: row.event_id,
    release: row.release,
    environment: row.environment,
    level: row.level,
    request_url: row.request_url,
    user_id: row.user_id,
  }
}

function parseIgnore(input: IgnoreUntil): { time: number | null; count: number | null } {
  let time: number | null = null
  if (input.until !== undefined && input.until !== null) {
    const until: unknown = input.until
    time = typeof until === 'number' ? until : typeof until === 'string' ? Date.parse(until) : Number.NaN
    // A time a Date can hold, in whole milliseconds (`muted_until` is a bigint column).
    if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) {
      throw new MonlightError(
        'VALIDATION_FAILED',
        "Field 'until' must be an ISO 8601 time or epoch milliseconds",
      )
    }
    time = Math.round(time)
  }
  let count: number | null = null
  if (input.count !== undefined && input.count !== null) {
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > 1e9) {
      throw new MonlightError('VALIDATION_FAILED', "Field 'count' must be a whole number of reports from 1")
    }
    count = input.count
  }
  return { time, count }
}

const BULK_ACTIONS = ['resolve', 'unresolve', 'ignore', 'unignore'] as const

function parseBulk(input: unknown): {
  ids: number[]
  action: (typeof BULK_ACTIONS)[number]
  until?: IgnoreUntil
} {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>
  const { ids, action } = body
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > MAX_BULK ||
    !ids.every((id) => Number.isSafeInteger(id) && id > 0)
  ) {
    throw new MonlightError('VALIDATION_FAILED', `Field 'ids' must be a list of 1 to ${MAX_BULK} error ids`)
  }
  if (!BULK_ACTIONS.includes(action as never)) {
    throw new MonlightError('VALIDATION_FAILED', `Field 'action' must be one of ${BULK_ACTIONS.join(', ')}`)
  }
  const until =
    typeof body.until === 'object' && body.until !== null ? (body.until as IgnoreUntil) : undefined
  return {
    ids: [...new Set(ids as number[])],
    action: action as (typeof BULK_ACTIONS)[number],
    ...(until && { until }),
  }
}

/** `group`: its type and message name the exception of an event parsed from the traceback. */
function toOccurrence(row: OccurrenceRow, group: Pick<GroupRow, 'exception_type' | 'message'>): Occurrence {
  return {
    id: row.seq,
    timestamp: isoSeconds(row.timestamp),
    request_url: row.request_url,
    request_method: row.request_method,
    request_headers: parseStoredJson(row.request_headers),
    user_id: row.user_id,
    extra: parseStoredJson(row.extra),
    traceback: row.traceback,
    environment: row.environment,
    event_id: row.event_id,
    release: row.release,
    level: row.level,
    event:
      row.event === null
        ? eventFromTraceback(group.exception_type, group.message, row.traceback)
        : (parseStoredJson(row.event) as Occurrence['event']),
  }
}

/** Upstream's timestamp format: `2026-11-25T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

function parseStoredJson(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
