import type { MetricsClient } from './metrics/metrics-client.js'

/** The standard HTTP metrics, with the Python client's names and labels; the dashboard reads them. */
export const HTTP_REQUESTS_TOTAL = 'http_requests_total'
export const HTTP_REQUEST_DURATION_SECONDS = 'http_request_duration_seconds'
/** The `endpoint` label of requests that matched no route (a bounded value, unlike scanners' random paths). */
export const UNMATCHED_ENDPOINT = '(unmatched)'

export interface CompletedRequest {
  method: string
  /** The route template (`/users/:id`) when the framework knows it. */
  route: string | undefined
  /** The path without query, used (with ids replaced) when there is no template. */
  path: string
  status: number
  seconds: number
}

const MAX_LABEL_SETS = 2000
/** One labels object per (method, endpoint, status): the metrics client then serializes each set only once. */
const labelSets = new Map<string, Record<string, string>>()

/** Records one finished request as `http_requests_total` + `http_request_duration_seconds`. */
export function recordRequest(metrics: MetricsClient, request: CompletedRequest): void {
  const endpoint = request.route ?? (request.status === 404 ? UNMATCHED_ENDPOINT : templatePath(request.path))
  const key = `${request.method} ${request.status} ${endpoint}`
  let labels = labelSets.get(key)
  if (!labels) {
    if (labelSets.size >= MAX_LABEL_SETS) labelSets.clear()
    labels = { method: request.method, endpoint, status: String(request.status) }
    labelSets.set(key, labels)
  }
  metrics.counter(HTTP_REQUESTS_TOTAL, labels)
  metrics.histogram(HTTP_REQUEST_DURATION_SECONDS, request.seconds, labels)
}

const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[0-9A-Za-z_-]{24,})$/i

/** `/users/42/orders/9f1c…` → `/users/:id/orders/:id`: ids must not become label values. */
export function templatePath(path: string): string {
  const clean = path.split('?', 1)[0] ?? '/'
  return clean
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/')
}

/** Seconds since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}

/** Should a failure with this status be reported as an error? Client errors (4xx) are the client's problem. */
export function isServerError(error: unknown): boolean {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status !== 'number' || status >= 500
}
