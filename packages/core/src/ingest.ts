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
