/**
 * The ingest interfaces modules offer each other in-process. The relay and the Node SDK forward through them when
 * they run in the same process as the errors and metrics modules, and over HTTP (same shapes) otherwise.
 */

/** An error report, with the field names of `POST /api/errors`. */
export interface ErrorReport {
  project: string
  exception_type: string
  message: string
  /** Python or JavaScript traceback text; the fingerprint is computed from it. May be empty. */
  traceback: string
  request_url?: string
  /** `GET`, `POST`, ... or `BROWSER` for browser errors. */
  request_method?: string
  request_headers?: unknown
  user_id?: string
  extra?: unknown
  environment?: string
  /**
   * The event's structure, Sentry-grade (exception chain, frames, breadcrumbs, tags, contexts...). When present
   * it is kept with the occurrence and drives grouping; without it the fingerprint is upstream's.
   */
  event?: ErrorEvent
}

export type ErrorLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug'

/** One stack frame, oldest call first within its stack (Sentry's order): the last frame is where it threw. */
export interface StackFrame {
  function?: string
  module?: string
  filename?: string
  abs_path?: string
  lineno?: number
  colno?: number
  in_app?: boolean
  context_line?: string
  pre_context?: string[]
  post_context?: string[]
  vars?: Record<string, unknown>
  /** Why a minified frame kept its place, when a source map did not apply (`no map`, `line out of range`...). */
  unmapped_reason?: string
}

/** One exception of a chain; the chain lists causes first and the exception that was raised last. */
export interface ExceptionInfo {
  /** Empty for a synthetic exception that only carries a message's stack. */
  type: string
  value: string
  module?: string
  /** `synthetic`: the SDK made the exception up to carry a stack (a message, a non-Error thrown value). */
  mechanism?: { type?: string; handled?: boolean; synthetic?: boolean }
  frames: StackFrame[]
}

export interface Breadcrumb {
  /** Epoch ms. */
  timestamp?: number
  type?: string
  category?: string
  message?: string
  level?: string
  data?: Record<string, unknown>
}

/** What an error event carries beyond upstream's flat fields; every field is optional and bounded by the store. */
export interface ErrorEvent {
  /** 32 lowercase hex characters; repeats of one id are stored once. */
  event_id?: string
  level?: ErrorLevel
  platform?: string
  /** Epoch ms, when it happened (default: when it arrived). */
  timestamp?: number
  release?: string
  dist?: string
  server_name?: string
  transaction?: string
  logger?: string
  exceptions?: ExceptionInfo[]
  /** For `captureMessage` events: the formatted message. */
  message?: string
  breadcrumbs?: Breadcrumb[]
  tags?: Record<string, string>
  contexts?: Record<string, Record<string, unknown>>
  user?: { id?: string; email?: string; username?: string; ip_address?: string; [key: string]: unknown }
  request?: {
    url?: string
    method?: string
    headers?: Record<string, string>
    query_string?: string
    data?: unknown
  }
  sdk?: { name?: string; version?: string }
  /** The SDK's grouping override; `{{ default }}` stands for the default grouping. */
  fingerprint?: string[]
}

export type ErrorIngestResult =
  | { status: 'created'; id: number; fingerprint: string }
  | { status: 'incremented'; id: number; count: number }
  | { status: 'reopened'; id: number; count: number }

/** Implemented by `@monlight/errors` (its `service`). Invalid reports are rejected with a `MonlightError`. */
export interface ErrorIngest {
  ingest(report: ErrorReport): Promise<ErrorIngestResult>
}

export type MetricType = 'counter' | 'gauge' | 'histogram'

/** A data point, with the field names of `POST /api/metrics`. */
export interface MetricPoint {
  name: string
  type: MetricType
  value: number
  labels?: Record<string, string | number>
  project?: string
  /** ISO 8601 or epoch ms; default now. */
  timestamp?: string | number
  /**
   * Histograms only: how many observations of `value` this point stands for (default 1). The Node SDK sends
   * pre-aggregated histograms this way.
   */
  count?: number
}

/** Implemented by `@monlight/metrics` (its `service`). Invalid points are rejected with a `MonlightError`. */
export interface MetricsIngest {
  ingest(points: readonly MetricPoint[]): Promise<{ count: number }>
}

/** A log line, with the field names of `POST /api/logs`. */
export interface LogEntry {
  message: string
  /** Where it came from (service, container). Default `default`. */
  container?: string
  /** ISO 8601 or epoch ms; default now. */
  timestamp?: string | number
  /** DEBUG, INFO, WARNING, ERROR or CRITICAL (or an alias); detected from the message when absent. */
  level?: string
  stream?: string
  attributes?: Record<string, unknown>
}

/** Implemented by `@monlight/logs` (its `service`). Invalid entries are rejected with a `MonlightError`. */
export interface LogsIngest {
  write(entries: readonly LogEntry[]): Promise<{ count: number }>
}
