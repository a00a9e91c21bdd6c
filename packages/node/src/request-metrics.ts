import type { MetricsClient, SeriesRecorder } from './metrics/metrics-client.js'

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

/** The two series of one (method, status, endpoint). */
interface RequestSeries {
  count: SeriesRecorder
  duration: SeriesRecorder
}

/** Label sets remembered per client; beyond this the cache starts over (a miss costs one serialisation). */
const MAX_LABEL_SETS = 2000
/** method → status → endpoint → series: lookups by the same string instances and a number, no key building. */
type SeriesCache = Map<string, Map<number, Map<string, RequestSeries>>>
const caches = new WeakMap<MetricsClient, { series: SeriesCache; size: number }>()

/** Records one finished request as `http_requests_total` + `http_request_duration_seconds`. */
export function recordRequest(metrics: MetricsClient, request: CompletedRequest): void {
  const endpoint = request.route ?? (request.status === 404 ? UNMATCHED_ENDPOINT : templatePath(request.path))
  const series = requestSeries(metrics, request.method, request.status, endpoint)
  series.count.record(1)
  series.duration.record(request.seconds)
}

function requestSeries(
  metrics: MetricsClient,
  method: string,
  status: number,
  endpoint: string,
): RequestSeries {
  let cache = caches.get(metrics)
  if (!cache || cache.size >= MAX_LABEL_SETS) {
    cache = { series: new Map(), size: 0 }
    caches.set(metrics, cache)
  }
  let byStatus = cache.series.get(method)
  if (!byStatus) {
    byStatus = new Map()
    cache.series.set(method, byStatus)
  }
  let byEndpoint = byStatus.get(status)
  if (!byEndpoint) {
    byEndpoint = new Map()
    byStatus.set(status, byEndpoint)
  }
  let series = byEndpoint.get(endpoint)
  if (!series) {
    const labels = { method, endpoint, status: String(status) }
    series = {
      count: metrics.series('counter', HTTP_REQUESTS_TOTAL, labels),
      duration: metrics.series('histogram', HTTP_REQUEST_DURATION_SECONDS, labels),
    }
    byEndpoint.set(endpoint, series)
    cache.size++
  }
  return series
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
