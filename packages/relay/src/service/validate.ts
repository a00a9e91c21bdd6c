import { type MetricType, MonlightError } from '@monlight/core'

/** Upstream's 400s: `{"detail": "..."}` with its exact wording. */
export function invalid(detail: string): MonlightError {
  return new MonlightError('VALIDATION_FAILED', detail)
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('Request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** A string field; any other type counts as missing, as upstream. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string') throw invalid(`Missing required field: ${field}`)
  return value
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  return typeof value === 'string' ? value : undefined
}

export function checkLength(field: string, value: string, max: number): string {
  if (value.length < 1 || value.length > max) throw invalid(`Field '${field}' must be 1-${max} characters`)
  return value
}

/**
 * Upstream's check (a JSON object with a numeric `version`, an array `sources` and a string `mappings`), or an
 * indexed map.
 */
export function isSourceMap(content: string): boolean {
  try {
    const map = JSON.parse(content)
    return (
      typeof map === 'object' &&
      map !== null &&
      typeof map.version === 'number' &&
      // An indexed map (`sections`, what some bundlers write) holds regular maps.
      ((Array.isArray(map.sources) && typeof map.mappings === 'string') || Array.isArray(map.sections))
    )
  } catch {
    return false
  }
}

/** A debug ID in its canonical form (lowercase UUID), or null when absent or not one. */
export function debugIdOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const hex = value.trim().toLowerCase().replace(/-/g, '')
  // Native debug IDs may carry an age after the UUID; source-map IDs are plain UUIDs.
  if (!/^[0-9a-f]{32}/.test(hex)) return null
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

export interface BrowserMetric {
  name: string
  type: MetricType
  value: number
  labels: Record<string, unknown>
  timestamp?: string
  count?: number
}

const TYPES = new Set(['counter', 'histogram', 'gauge'])
export const MAX_METRICS = 1000

/** `{"metrics":[...]}` of the browser SDK, checked in upstream's order. */
export function parseBrowserMetrics(input: Record<string, unknown>): BrowserMetric[] {
  if (!('metrics' in input) || input.metrics === null) throw invalid('Missing required field: metrics')
  const items = input.metrics
  if (!Array.isArray(items)) throw invalid("Field 'metrics' must be an array")
  if (items.length === 0) throw invalid('Metrics array must not be empty')
  if (items.length > MAX_METRICS) throw invalid(`Metrics batch exceeds maximum of ${MAX_METRICS} items`)
  return items.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalid('Each metric must be a JSON object')
    }
    const metric = item as Record<string, unknown>
    const name = requireString(metric, 'name')
    if (name.length < 1 || name.length > 200) throw invalid("Field 'name' must be 1-200 characters")
    const type = requireString(metric, 'type')
    if (!TYPES.has(type)) throw invalid("Field 'type' must be 'counter', 'histogram', or 'gauge'")
    const value = metric.value
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid('Missing required field: value')
    const labels = metric.labels
    const count = metric.count
    return {
      name,
      type: type as MetricType,
      value,
      labels:
        typeof labels === 'object' && labels !== null && !Array.isArray(labels)
          ? (labels as Record<string, unknown>)
          : {},
      timestamp: optionalString(metric, 'timestamp'),
      count:
        type === 'histogram' && Number.isInteger(count) && (count as number) > 0
          ? (count as number)
          : undefined,
    }
  })
}
