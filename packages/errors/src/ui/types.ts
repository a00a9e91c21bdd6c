// The API's shapes as the UI reads them (see ../service/service.ts); events are @monlight/core's own types.
import type { Breadcrumb, ErrorEvent as CoreEvent, ExceptionInfo, StackFrame as Frame } from '@monlight/core'

export type { Breadcrumb, ExceptionInfo, Frame }

export type Status = 'unresolved' | 'resolved' | 'ignored'

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
  status: Status
  level: string | null
  platform: string | null
  culprit: string | null
  first_release: string | null
  last_release: string | null
  resolved_in_release: string | null
  ignored_until: string | null
  ignored_until_count: number | null
  /** Reports per hour, last 24 h, oldest first (list only). */
  sparkline?: number[]
}

export interface ErrorList {
  errors: ErrorSummary[]
  total: number
  limit: number
  offset: number
}

/** An event as stored: core's shape, plus what the server adds on the way out. */
export interface ErrorEvent extends CoreEvent {
  /** Parsed by the server from an upstream report's traceback; not sent by an SDK. */
  derived?: true
  /** What was cut to fit the storage limits. */
  truncated?: string[]
}

export interface Occurrence {
  /** The event number within the group (1 = first). */
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
  event: ErrorEvent | null
}

export interface EventWithNeighbours extends Occurrence {
  /** The next older kept event. */
  previous: number | null
  /** The next newer kept event. */
  next: number | null
}

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

export interface TagFacet {
  key: string
  values: { value: string; count: number }[]
}

export interface ErrorDetail extends ErrorSummary {
  traceback: string
  resolved_at: string | null
  occurrences: Occurrence[]
  tags: TagFacet[]
  histogram: { date: string; count: number }[]
  events_kept: number
}

export interface Facets {
  environments: string[]
  releases: string[]
}

/** The body of `POST api/errors/:id/ignore` (and `until` of the bulk call). */
export interface IgnoreUntil {
  until?: string
  count?: number
}
