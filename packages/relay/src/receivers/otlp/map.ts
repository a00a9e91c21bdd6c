import type { ErrorReport, LogEntry, MetricPoint, StackFrame } from '@monlight/core'
import { MAX_JSON_DEPTH } from '@monlight/core'
import { parseFrame } from '../../service/stack.js'
import {
  type Bucket,
  boundedLabels,
  bucketPoints,
  type CumulativeTracker,
  explicitBuckets,
  pointProblem,
} from '../metric-points.js'
import { tracebackText } from '../sentry/map.js'
import { list } from './parse.js'

/** What the mapping needs besides the request: who sent it and the state of cumulative series. */
export interface OtlpContext {
  /** The project of a project key; else the data's `service.name` names it. */
  project: string | undefined
  now: number
  cumulative: CumulativeTracker
}

/** A mapped request: what to forward, and how many records or points could not be used, with the first reasons. */
export interface Mapped<T> {
  items: T[]
  rejected: number
  reasons: Set<string>
}

const MAX_ATTRIBUTES = 128
const MAX_KEY_LENGTH = 256
/** Deeper values are cut (with a marker) so the record is kept and stays within what the stores accept. */
const MAX_VALUE_DEPTH = MAX_JSON_DEPTH - 4

/** OTLP `AnyValue` → JSON value; 64-bit integers as numbers where exact, else as their decimal string. */
export function anyValue(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  if ('stringValue' in v) return String(v.stringValue)
  if ('boolValue' in v) return Boolean(v.boolValue)
  if ('intValue' in v) return integer(v.intValue)
  if ('doubleValue' in v) return typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue)
  if ('bytesValue' in v) return String(v.bytesValue)
  if (depth >= MAX_VALUE_DEPTH) return '[nested too deep]'
  if ('arrayValue' in v)
    return list((v.arrayValue as { values?: unknown })?.values).map((item) => anyValue(item, depth + 1))
  if ('kvlistValue' in v) return attributes((v.kvlistValue as { values?: unknown })?.values, depth + 1)
  return undefined
}

/** OTLP `KeyValue[]` → an object (at most 128 keys of at most 256 characters). */
export function attributes(keyValues: unknown, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  let count = 0
  for (const { key, value } of list(keyValues)) {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) continue
    if (++count > MAX_ATTRIBUTES) break
    const mapped = anyValue(value, depth)
    if (mapped !== undefined) result[key] = mapped
  }
  return result
}

function integer(value: unknown): number | string | undefined {
  if (typeof value === 'number') return value
  if (typeof value !== 'string' || !/^-?\d{1,20}$/.test(value)) return undefined
  const number = Number(value)
  return Number.isSafeInteger(number) ? number : value
}

/** A `*UnixNano` field (decimal string or number) in epoch ms; undefined for 0 / absent ("unset"). */
export function nanosToMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value > 0 ? Math.floor(value / 1e6) : undefined
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) return undefined
  const ms = value.length > 6 ? Number(value.slice(0, -6)) : 0
  return ms > 0 ? ms : undefined
}

const number = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') return Number(value)
  return undefined
}

/** OTLP severity numbers 1-24 (TRACE … FATAL4) as the log store's levels. */
function severityLevel(severityNumber: unknown, severityText: unknown): string | undefined {
  const n = number(severityNumber)
  if (n !== undefined && n >= 1 && n <= 24) {
    return n <= 8 ? 'DEBUG' : n <= 12 ? 'INFO' : n <= 16 ? 'WARNING' : n <= 20 ? 'ERROR' : 'CRITICAL'
  }
  return typeof severityText === 'string' && severityText ? severityText : undefined
}

const serviceOf = (resource: Record<string, unknown>) =>
  typeof resource['service.name'] === 'string' && resource['service.name']
    ? resource['service.name']
    : undefined

/**
 * Log records → log entries: the container is the resource's `service.name` (else the key's project, else
 * `otlp`); record attributes at the top of the entry's attributes, the resource's under `resource`, the scope's
 * name under `scope`, plus `trace_id` and `span_id`; a structured body is kept whole under `body` and shown as JSON.
 */
export function mapLogs(request: Record<string, unknown>, context: OtlpContext): Mapped<LogEntry> {
  const items: LogEntry[] = []
  for (const resourceLogs of list(request.resourceLogs)) {
    const resource = attributes((resourceLogs.resource as { attributes?: unknown } | undefined)?.attributes)
    const container = serviceOf(resource) ?? context.project ?? 'otlp'
    for (const scopeLogs of list(resourceLogs.scopeLogs)) {
      const scope = (scopeLogs.scope ?? {}) as { name?: unknown }
      for (const record of list(scopeLogs.logRecords)) {
        const body = anyValue(record.body)
        const attrs: Record<string, unknown> = attributes(record.attributes)
        if (body !== undefined && typeof body !== 'string') attrs.body = body
        if (typeof record.traceId === 'string' && record.traceId) attrs.trace_id = record.traceId
        if (typeof record.spanId === 'string' && record.spanId) attrs.span_id = record.spanId
        if (typeof record.eventName === 'string' && record.eventName) attrs.event_name = record.eventName
        if (Object.keys(resource).length > 0) attrs.resource = resource
        if (typeof scope.name === 'string' && scope.name) attrs.scope = scope.name
        const message =
          typeof body === 'string'
            ? body
            : body === undefined
              ? String(record.eventName ?? '')
              : JSON.stringify(body)
        items.push({
          message,
          container,
          level: severityLevel(record.severityNumber, record.severityText),
          timestamp: nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano) ?? context.now,
          attributes: attrs,
        })
      }
    }
  }
  return { items, rejected: 0, reasons: new Set() }
}

/**
 * Resource attributes kept as metric labels (OpenTelemetry name → label): a short allow-list, so that per-process
 * attributes (pid, start time, host id) cannot multiply series.
 */
export const RESOURCE_LABELS: Record<string, string> = {
  'service.name': 'service',
  'service.namespace': 'service_namespace',
  'service.instance.id': 'instance',
  'deployment.environment': 'env',
  'deployment.environment.name': 'env',
  'host.name': 'host',
  'k8s.namespace.name': 'namespace',
}

const AGGREGATION_DELTA = 1
const AGGREGATION_CUMULATIVE = 2

/**
 * Metrics → points. Gauges and non-monotonic sums as gauges; monotonic sums as counter increments (cumulative ones
 * through the tracker); histograms (explicit and exponential) as weighted points per bucket; summaries as
 * `<name>{quantile}` gauges with `<name>_sum` / `<name>_count` counters. Points that are not numbers are rejected.
 */
export function mapMetrics(request: Record<string, unknown>, context: OtlpContext): Mapped<MetricPoint> {
  const out: Mapped<MetricPoint> = { items: [], rejected: 0, reasons: new Set() }
  const reject = (reason: string) => {
    out.rejected++
    if (out.reasons.size < 5) out.reasons.add(reason)
  }
  for (const resourceMetrics of list(request.resourceMetrics)) {
    const resource = attributes(
      (resourceMetrics.resource as { attributes?: unknown } | undefined)?.attributes,
    )
    const resourceLabels: Record<string, string> = {}
    for (const [key, label] of Object.entries(RESOURCE_LABELS)) {
      if (resource[key] !== undefined) resourceLabels[label] = String(resource[key])
    }
    const project = context.project ?? serviceOf(resource)
    for (const scopeMetrics of list(resourceMetrics.scopeMetrics)) {
      for (const metric of list(scopeMetrics.metrics)) {
        const name = typeof metric.name === 'string' ? metric.name : ''
        const emit = (point: Omit<MetricPoint, 'project'>) => {
          const problem = pointProblem(point.name, point.value)
          if (problem) reject(problem)
          else out.items.push({ ...point, ...(project && { project }) })
        }
        const labelsOf = (dataPoint: Record<string, unknown>) => {
          const labels: Record<string, string> = { ...resourceLabels }
          for (const [key, value] of Object.entries(attributes(dataPoint.attributes))) {
            labels[key] = typeof value === 'string' ? value : JSON.stringify(value)
          }
          return boundedLabels(labels)
        }
        const seriesKey = (labels: Record<string, string>, suffix = '') =>
          `${project ?? ''}\u0000${name}${suffix}\u0000${JSON.stringify(labels)}`
        /** The increments of a point's values: as they are for delta temporality, via the tracker for cumulative. */
        const increments = (
          temporality: unknown,
          key: string,
          values: number[],
          dataPoint: Record<string, unknown>,
        ): number[] | undefined =>
          number(temporality) === AGGREGATION_CUMULATIVE
            ? context.cumulative.increments(key, values, nanosToMs(dataPoint.startTimeUnixNano))
            : number(temporality) === AGGREGATION_DELTA
              ? values
              : undefined

        const data =
          metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary
        const dataPoints = list((data as { dataPoints?: unknown } | undefined)?.dataPoints)
        if (!name) {
          for (const _ of dataPoints) reject('a metric without a name')
          continue
        }
        for (const dataPoint of dataPoints) {
          const labels = labelsOf(dataPoint)
          const timestamp = nanosToMs(dataPoint.timeUnixNano) ?? context.now
          if (metric.gauge || (metric.sum && !(metric.sum as { isMonotonic?: unknown }).isMonotonic)) {
            emit({ name, type: 'gauge', value: numberValue(dataPoint), labels, timestamp })
          } else if (metric.sum) {
            const value = numberValue(dataPoint)
            if (!Number.isFinite(value)) {
              reject(`value of ${name.slice(0, 100)} must be a finite number`)
              continue
            }
            const temporality = (metric.sum as { aggregationTemporality?: unknown }).aggregationTemporality
            const [increment] = increments(temporality, seriesKey(labels), [value], dataPoint) ?? []
            if (increment !== undefined && increment > 0) {
              emit({ name, type: 'counter', value: increment, labels, timestamp })
            }
          } else if (metric.histogram || metric.exponentialHistogram) {
            const exponential = Boolean(metric.exponentialHistogram)
            const buckets = exponential ? exponentialBuckets(dataPoint) : explicitHistogram(dataPoint)
            if (!buckets) {
              reject(`histogram ${name.slice(0, 100)} has bucket counts that do not match its bounds`)
              continue
            }
            const temporality = (data as { aggregationTemporality?: unknown }).aggregationTemporality
            const counts = increments(
              temporality,
              seriesKey(labels),
              buckets.map((b) => b.count),
              dataPoint,
            )
            if (!counts) continue
            const range = { min: number(dataPoint.min), max: number(dataPoint.max) }
            const weighted = bucketPoints(
              buckets.map((bucket, i) => ({ ...bucket, count: counts[i]! })),
              range,
            )
            for (const { value, count } of weighted)
              emit({ name, type: 'histogram', value, count, labels, timestamp })
          } else if (metric.summary) {
            for (const quantile of list(dataPoint.quantileValues)) {
              const q = number(quantile.quantile)
              emit({
                name,
                type: 'gauge',
                value: number(quantile.value) ?? Number.NaN,
                labels: boundedLabels({ ...labels, quantile: String(q) }),
                timestamp,
              })
            }
            const totals = [number(dataPoint.sum) ?? 0, number(dataPoint.count) ?? 0]
            const [sum, count] =
              context.cumulative.increments(
                seriesKey(labels, '_summary'),
                totals,
                nanosToMs(dataPoint.startTimeUnixNano),
              ) ?? []
            if (sum) emit({ name: `${name}_sum`, type: 'counter', value: sum, labels, timestamp })
            if (count) emit({ name: `${name}_count`, type: 'counter', value: count, labels, timestamp })
          }
        }
      }
    }
  }
  return out
}

function numberValue(dataPoint: Record<string, unknown>): number {
  if (dataPoint.asDouble !== undefined) return number(dataPoint.asDouble) ?? Number.NaN
  if (dataPoint.asInt !== undefined) return number(dataPoint.asInt) ?? Number.NaN
  return Number.NaN
}

function explicitHistogram(dataPoint: Record<string, unknown>): Bucket[] | undefined {
  const counts = (Array.isArray(dataPoint.bucketCounts) ? dataPoint.bucketCounts : []).map(number)
  const bounds = (Array.isArray(dataPoint.explicitBounds) ? dataPoint.explicitBounds : []).map(number)
  if (counts.length === 0) {
    // No buckets: every observation at the mean (clamped into min / max when sent).
    const count = number(dataPoint.count) ?? 0
    const mean = count > 0 ? (number(dataPoint.sum) ?? 0) / count : 0
    return [{ lower: mean, upper: mean, count }]
  }
  if (
    counts.length !== bounds.length + 1 ||
    [...counts, ...bounds].some((n) => n === undefined || Number.isNaN(n))
  ) {
    return undefined
  }
  return explicitBuckets(bounds as number[], counts as number[])
}

/** Exponential buckets: index i of scale s covers (base^i, base^(i+1)] with base = 2^(2^-s); zeros at 0. */
function exponentialBuckets(dataPoint: Record<string, unknown>): Bucket[] | undefined {
  const scale = number(dataPoint.scale) ?? 0
  if (!Number.isInteger(scale) || scale < -10 || scale > 20) return undefined
  const base = 2 ** (2 ** -scale)
  const buckets: Bucket[] = []
  const zero = number(dataPoint.zeroCount) ?? 0
  if (zero > 0) buckets.push({ lower: 0, upper: 0, count: zero })
  for (const [side, sign] of [
    ['negative', -1],
    ['positive', 1],
  ] as const) {
    const spans = (dataPoint[side] ?? {}) as { offset?: unknown; bucketCounts?: unknown }
    const offset = number(spans.offset) ?? 0
    const counts = Array.isArray(spans.bucketCounts) ? spans.bucketCounts.slice(0, 512) : []
    counts.forEach((raw, i) => {
      const low = base ** (offset + i)
      const high = base ** (offset + i + 1)
      const count = number(raw) ?? 0
      buckets.push(sign > 0 ? { lower: low, upper: high, count } : { lower: -high, upper: -low, count })
    })
  }
  return buckets
}

/** Span kinds that answer a request: SERVER and CONSUMER. */
const SERVING_KINDS = new Set([2, 5])
const STATUS_ERROR = 2

/**
 * Spans → RED metrics and errors. Each server (or consumer) span is one `otel_server_duration_milliseconds`
 * observation per service, route (`http.route`, else the span name), method and status (`ok` / `error`), and
 * error spans also count in `otel_server_errors_total`. Each span event named `exception` is an error occurrence
 * in the error tracker (its type, message and stack trace), grouped like any other.
 */
export function mapTraces(
  request: Record<string, unknown>,
  context: OtlpContext,
): { points: MetricPoint[]; errors: ErrorReport[] } {
  const points: MetricPoint[] = []
  const errors: ErrorReport[] = []
  for (const resourceSpans of list(request.resourceSpans)) {
    const resource = attributes((resourceSpans.resource as { attributes?: unknown } | undefined)?.attributes)
    const service = serviceOf(resource) ?? 'unknown'
    const project = context.project ?? serviceOf(resource) ?? 'otlp'
    const environment = resource['deployment.environment.name'] ?? resource['deployment.environment']
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      for (const span of list(scopeSpans.spans)) {
        const attrs = attributes(span.attributes)
        const start = nanosToMs(span.startTimeUnixNano)
        const end = nanosToMs(span.endTimeUnixNano)
        const status = (span.status ?? {}) as { code?: unknown; message?: unknown }
        const httpStatus = number(attrs['http.response.status_code'] ?? attrs['http.status_code'])
        const failed = number(status.code) === STATUS_ERROR || (httpStatus !== undefined && httpStatus >= 500)
        const route = String(attrs['http.route'] ?? span.name ?? '').slice(0, 200) || 'unknown'
        if (
          SERVING_KINDS.has(number(span.kind) ?? 0) &&
          start !== undefined &&
          end !== undefined &&
          end >= start
        ) {
          const labels = boundedLabels({
            service,
            route,
            method: String(attrs['http.request.method'] ?? attrs['http.method'] ?? ''),
            status: failed ? 'error' : 'ok',
          })
          points.push({
            name: 'otel_server_duration_milliseconds',
            type: 'histogram',
            value: end - start,
            labels,
            project,
            timestamp: end,
          })
          if (failed)
            points.push({
              name: 'otel_server_errors_total',
              type: 'counter',
              value: 1,
              labels,
              project,
              timestamp: end,
            })
        }
        for (const event of list(span.events)) {
          if (event.name !== 'exception') continue
          errors.push(
            exceptionReport(attributes(event.attributes), {
              project,
              environment: typeof environment === 'string' ? environment : undefined,
              route,
              method: attrs['http.request.method'] ?? attrs['http.method'],
              url: attrs['url.full'] ?? attrs['http.url'],
              traceId: typeof span.traceId === 'string' ? span.traceId : undefined,
              spanId: typeof span.spanId === 'string' ? span.spanId : undefined,
              service,
              timestamp: nanosToMs(event.timeUnixNano) ?? end ?? context.now,
            }),
          )
        }
      }
    }
  }
  return { points, errors }
}

function exceptionReport(
  event: Record<string, unknown>,
  where: {
    project: string
    environment: string | undefined
    route: string
    method: unknown
    url: unknown
    traceId: string | undefined
    spanId: string | undefined
    service: string
    timestamp: number
  },
): ErrorReport {
  const type = String(event['exception.type'] ?? 'Error').slice(0, 200) || 'Error'
  const message = String(event['exception.message'] ?? '')
  const stacktrace = typeof event['exception.stacktrace'] === 'string' ? event['exception.stacktrace'] : ''
  // V8 ("at f (file:line:col)") and Firefox-style lines become frames, oldest call first.
  const frames: StackFrame[] = []
  for (const line of stacktrace.split('\n', 200)) {
    const frame = parseFrame(line)
    if (!frame) continue
    frames.unshift({
      ...(frame.fn && { function: frame.fn }),
      filename: frame.file,
      abs_path: frame.file,
      lineno: frame.line,
      colno: frame.column,
      in_app: !frame.file.includes('/node_modules/') && !frame.file.startsWith('node:'),
    })
  }
  const exceptions = [{ type, value: message, frames }]
  const tags: Record<string, string> = { service: where.service, route: where.route }
  if (where.traceId) tags.trace_id = where.traceId
  if (where.spanId) tags.span_id = where.spanId
  return {
    project: where.project,
    exception_type: type,
    message,
    traceback: frames.length > 0 ? tracebackText(exceptions, message) : stacktrace,
    ...(typeof where.method === 'string' && { request_method: where.method }),
    ...(typeof where.url === 'string' && { request_url: where.url }),
    ...(where.environment && { environment: where.environment }),
    event: {
      platform: 'otlp',
      timestamp: where.timestamp,
      exceptions,
      tags,
    },
  }
}
