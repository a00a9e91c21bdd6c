import { type MetricType, MonlightError } from '@monlight/core'
import { parseTimestamp } from './time.js'

export const MAX_BATCH = 1000
const MAX_NAME_BYTES = 200
const MAX_PROJECT_LENGTH = 100
const MAX_LABELS = 32
const MAX_LABEL_KEY_LENGTH = 100
const MAX_LABEL_VALUE_LENGTH = 500
const TYPES = new Set<string>(['counter', 'histogram', 'gauge'])
const MAX_CLOCK_SKEW_MS = 24 * 3_600_000
const MAX_COUNT = 1_000_000_000

/** A validated data point: labels as canonical JSON (sorted keys, string values), time in epoch ms. */
export interface CleanPoint {
  name: string
  type: MetricType
  value: number
  /** Canonical label JSON, e.g. `{"method":"GET","status":"200"}`; `{}` without labels. */
  labels: string
  /** `''` when the point names no project. */
  project: string
  ts: number
  /** Histograms: how many observations of `value` the point stands for (the Node SDK pre-aggregates). */
  count: number
}

const invalid = (message: string, hint?: string) =>
  new MonlightError('VALIDATION_FAILED', message, hint ? { body: { hint } } : {})

/**
 * The points of a `POST /api/metrics` body: a bare array (Python client, relay) or `{"metrics": [...]}` (smoke
 * test). Upstream's messages, in upstream's order; all or nothing.
 */
export function pointsFromBody(body: unknown): unknown[] {
  const list =
    Array.isArray(body) || typeof body !== 'object' || body === null
      ? body
      : (body as { metrics?: unknown }).metrics
  if (!Array.isArray(list)) throw invalid('Request body must be a JSON array')
  return list
}

const NO_LABELS: ReadonlySet<string> = new Set()

/**
 * Validates a batch (upstream rules plus labels, project and timestamp checks); `now` stamps undated points and
 * label keys in `ignored` are dropped.
 */
export function validateBatch(
  points: readonly unknown[],
  now: number,
  ignored: ReadonlySet<string> = NO_LABELS,
): CleanPoint[] {
  if (points.length === 0) throw invalid('Metrics array must not be empty')
  if (points.length > MAX_BATCH) throw invalid(`Metrics batch exceeds maximum of ${MAX_BATCH} items`)
  const clean = new Array<CleanPoint>(points.length)
  for (let i = 0; i < points.length; i++) clean[i] = validatePoint(points[i], i, now, ignored)
  return clean
}

function validatePoint(input: unknown, index: number, now: number, ignored: ReadonlySet<string>): CleanPoint {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('Each metric must be a JSON object')
  }
  const point = input as Record<string, unknown>
  const { name, type, value } = point
  if (typeof name !== 'string') throw invalid('Missing required field: name')
  if (name.length === 0 || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw invalid("Field 'name' must be 1-200 characters")
  }
  if (typeof type !== 'string') throw invalid('Missing required field: type')
  if (!TYPES.has(type)) throw invalid("Field 'type' must be 'counter', 'histogram', or 'gauge'")
  if (typeof value !== 'number') {
    // Upstream's message for any non-number; the hint says what was sent.
    throw invalid(
      'Missing required field: value',
      value === undefined || value === null
        ? undefined
        : `metric ${index}: value must be a JSON number, not ${Array.isArray(value) ? 'an array' : `a ${typeof value}`} (${JSON.stringify(value).slice(0, 40)})`,
    )
  }
  // Beyond ±1e300 the sums of rollups overflow to infinity (PostgreSQL refuses them).
  if (!Number.isFinite(value) || Math.abs(value) > 1e300) {
    throw invalid(`Field 'value' of metric ${index} must be a finite number of magnitude at most 1e300`)
  }
  return {
    name,
    type: type as MetricType,
    value,
    labels: canonicalLabels(point.labels, index, ignored),
    project: readProject(point.project, index),
    ts: readTimestamp(point.timestamp, index, now),
    count: readCount(point.count, type, index),
  }
}

function readCount(count: unknown, type: string, index: number): number {
  if (count === undefined || count === null) return 1
  if (type !== 'histogram') throw invalid(`Field 'count' of metric ${index} applies to histograms only`)
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw invalid(`Field 'count' of metric ${index} must be an integer from 1 to ${MAX_COUNT}`)
  }
  return count
}

function readProject(project: unknown, index: number): string {
  if (project === undefined || project === null) return ''
  if (typeof project !== 'string' || project.length > MAX_PROJECT_LENGTH) {
    throw invalid(
      `Field 'project' of metric ${index} must be a string of at most ${MAX_PROJECT_LENGTH} characters`,
    )
  }
  return project
}

function readTimestamp(timestamp: unknown, index: number, now: number): number {
  if (timestamp === undefined || timestamp === null) return now
  const ms = parseTimestamp(timestamp)
  if (ms === undefined) {
    throw invalid(
      `Field 'timestamp' of metric ${index} must be an ISO 8601 time (e.g. 2026-01-20T10:00:00Z) or epoch milliseconds`,
    )
  }
  // A clock a day ahead is broken; such points would outlive every retention cutoff.
  if (ms > now + MAX_CLOCK_SKEW_MS) {
    throw invalid(`Field 'timestamp' of metric ${index} is more than 24 hours in the future`)
  }
  return ms
}

/**
 * Label sets already made canonical, as sent (keys in their order, values as text): a trie of alternating keys
 * and values, so a lookup hashes only short strings. Most points repeat a few label sets.
 */
interface SentLabels {
  next: Map<string, SentLabels>
  canonical?: string
}
const sentByIgnored = new WeakMap<ReadonlySet<string>, { root: SentLabels; size: number }>()
const MEMO_SIZE = 10_000

/** The trie's node for these labels (created with `create`); undefined when a value is not a primitive. */
function sentNode(
  root: SentLabels,
  record: Record<string, unknown>,
  keys: readonly string[],
  create: boolean,
) {
  let node: SentLabels | undefined = root
  for (const name of keys) {
    const text = labelText(record[name])
    if (text === undefined) return undefined
    node = child(node, name, create)
    node = node && child(node, text, create)
    if (!node) return undefined
  }
  return node
}

function child(node: SentLabels, step: string, create: boolean): SentLabels | undefined {
  let next = node.next.get(step)
  if (!next && create) {
    next = { next: new Map() }
    node.next.set(step, next)
  }
  return next
}

/**
 * Labels as JSON with sorted keys and string values, so `{"b":1,"a":"x"}` and `{"a":"x","b":"1"}` are one
 * series. Numbers and booleans become strings; `null` or absent labels are `{}`. A set seen before (as sent,
 * with the same ignored keys) is answered from memory: one string, which also keeps its hash for the series
 * cache.
 */
export function canonicalLabels(
  labels: unknown,
  index = 0,
  ignored: ReadonlySet<string> = NO_LABELS,
): string {
  if (labels === undefined || labels === null) return '{}'
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw invalid(`Field 'labels' of metric ${index} must be an object of string values`)
  }
  const keys = Object.keys(labels)
  if (keys.length === 0) return '{}'
  if (keys.length > MAX_LABELS)
    throw invalid(`Field 'labels' of metric ${index} has more than ${MAX_LABELS} labels`)
  const record = labels as Record<string, unknown>
  let memo = sentByIgnored.get(ignored)
  if (!memo) {
    memo = { root: { next: new Map() }, size: 0 }
    sentByIgnored.set(ignored, memo)
  }
  const known = sentNode(memo.root, record, keys, false)?.canonical
  if (known !== undefined) return known
  const canonical = canonicalOf(record, [...keys], index, ignored) // a copy: it sorts them
  if (memo.size >= MEMO_SIZE) {
    memo.root = { next: new Map() }
    memo.size = 0
  }
  const node = sentNode(memo.root, record, keys, true)
  if (node) {
    node.canonical = canonical
    memo.size++
  }
  return canonical
}

function canonicalOf(
  record: Record<string, unknown>,
  keys: string[],
  index: number,
  ignored: ReadonlySet<string>,
): string {
  keys.sort()
  // Built as text, JSON.stringify escaping each key and value. An object in between would cost more, put
  // integer-like keys first whatever the sort, and need a null prototype to keep a label named __proto__.
  let json = '{'
  for (const key of keys) {
    if (ignored.has(key)) continue
    const text = labelText(record[key])
    if (text === undefined || !validLabel(key, text)) {
      throw invalid(
        `Label '${key.slice(0, 64)}' of metric ${index} must have a 1-${MAX_LABEL_KEY_LENGTH} character name and a string value of at most ${MAX_LABEL_VALUE_LENGTH} characters`,
      )
    }
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(text)}`
  }
  return `${json}}`
}

const validLabel = (key: string, text: string) =>
  key.length > 0 && key.length <= MAX_LABEL_KEY_LENGTH && text.length <= MAX_LABEL_VALUE_LENGTH

function labelText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
}
