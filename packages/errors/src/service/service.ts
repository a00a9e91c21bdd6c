import type { ErrorIngest, ErrorIngestResult, ErrorReport, Logger } from '@monlight/core'
import { MonlightError } from '@monlight/core'
import type { AlertDispatcher } from '../alerts/dispatcher.js'
import type { ErrorsStore, GroupRow, ListFilter, OccurrenceRow } from '../store/store.js'
import { type CaptureContext, describeError } from './traceback.js'
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
}

/** `GET /api/errors/{id}`: a flat object, as upstream. */
export interface ErrorDetail extends ErrorSummary {
  traceback: string
  resolved_at: string | null
  occurrences: Occurrence[]
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
  resolve(id: number): Promise<{ status: 'resolved'; id: number }>
  unresolve(id: number): Promise<{ status: 'unresolved'; id: number }>
  projects(): Promise<{ projects: string[] }>
  /** Deletes groups resolved more than `retentionDays` ago; returns how many. */
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
}

export const DAY_MS = 86_400_000

export function createErrorsService(deps: ServiceDependencies): ErrorsService {
  const { store, alerts, now } = deps

  const notFound = () => new MonlightError('NOT_FOUND', 'Error not found')

  const service: ErrorsService = {
    async ingest(report) {
      const stored = toStoredReport(report)
      const outcome = await store.ingest(stored, now())
      if (outcome.status === 'incremented') return outcome
      alerts.notify({
        kind: outcome.status,
        id: outcome.id,
        count: outcome.count,
        project: stored.project,
        exception_type: stored.exception_type,
        message: stored.message,
        traceback: stored.traceback,
        request_method: stored.request_method,
        request_url: stored.request_url,
        environment: stored.environment,
      })
      return outcome.status === 'created'
        ? { status: 'created', id: outcome.id, fingerprint: stored.fingerprint }
        : outcome
    },

    capture(error, context = {}) {
      return service.ingest({ project: deps.project, ...context, ...describeError(error) })
    },

    async list(filter) {
      const { rows, total } = await store.list(filter)
      return { errors: rows.map(toSummary), total, limit: filter.limit, offset: filter.offset }
    },

    async get(id) {
      const found = await store.get(id)
      if (!found) throw notFound()
      const { group, occurrences } = found
      return {
        ...toSummary(group),
        traceback: group.traceback,
        resolved_at: group.resolved_at === null ? null : isoSeconds(group.resolved_at),
        occurrences: occurrences.map(toOccurrence),
      }
    },

    async resolve(id) {
      if (!(await store.resolve(id, now()))) throw notFound()
      return { status: 'resolved', id }
    },

    async unresolve(id) {
      if (!(await store.unresolve(id))) throw notFound()
      return { status: 'unresolved', id }
    },

    async projects() {
      return { projects: await store.projects() }
    },

    async applyRetention() {
      const deleted = await store.deleteResolvedBefore(now() - deps.retentionDays * DAY_MS)
      if (deleted > 0)
        deps.logger.info('retention deleted resolved errors', { deleted, days: deps.retentionDays })
      return deleted
    },
  }
  return service
}

function toSummary(row: GroupRow): ErrorSummary {
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
  }
}

function toOccurrence(row: OccurrenceRow): Occurrence {
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
