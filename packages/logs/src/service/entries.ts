import { MAX_JSON_DEPTH, MonlightError, nestsDeeperThan, parseInput } from '@monlight/core'
import * as z from 'zod'
import type { NewEntry, StoredEntry } from '../store/store.js'
import { detectLevel, fieldsLevel, parseLevel } from './levels.js'

/** Longest stored message; a longer one is cut and marked, so one runaway line cannot fill the database. */
export const MAX_MESSAGE_CHARS = 256 * 1024
export const MAX_BATCH = 1000
const MAX_CLOCK_SKEW_MS = 86_400_000

/** One entry as `POST /api/logs` and `logs.write()` take it. */
export const logInputSchema = z.strictObject({
  /** ISO 8601 string or epoch milliseconds; default: now. */
  timestamp: z.union([z.string().max(64), z.number().finite()]).optional(),
  /** Where it came from (`source` is accepted as another name). Default `default`. */
  container: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(200).optional(),
  stream: z.string().min(1).max(16).default('stdout'),
  /** DEBUG, INFO, WARNING, ERROR, CRITICAL (or an alias); detected from the message when absent. */
  level: z.string().max(16).optional(),
  message: z.string(),
  attributes: z.record(z.string(), z.unknown()).optional(),
})
export type LogInput = z.input<typeof logInputSchema>

export const logBatchSchema = z.union([
  z.array(logInputSchema).max(MAX_BATCH),
  z.strictObject({ logs: z.array(logInputSchema).max(MAX_BATCH) }),
])

/** Parses a time given as ISO 8601 or epoch milliseconds; undefined when it is neither. */
export function parseTime(value: string | number): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && Math.abs(value) < 8.64e15 ? value : undefined
  // Fast path for Docker's RFC 3339 UTC with nanoseconds (2025-01-20T10:00:00.123456789Z): millisecond prefix.
  if (value.length > 24 && value.charCodeAt(19) === 46 && value.endsWith('Z') && value[10] === 'T') {
    const ms = Date.parse(`${value.slice(0, 23)}Z`)
    if (!Number.isNaN(ms)) return ms
  }
  const text = value.trim()
  if (/^\d{1,16}$/.test(text)) return Number(text)
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text))
    return undefined
  // Date.parse takes at most millisecond fractions reliably; Docker writes nanoseconds.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1').replace(' ', 'T'))
  return Number.isNaN(ms) ? undefined : ms
}

export function clipMessage(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… [truncated]` : message
}

/** Validates and fills in one entry; a problem is a 400 naming the entry and field. */
export function toNewEntry(input: unknown, index: number, now: number): NewEntry {
  const entry = parseInput(logInputSchema, input, `log entry ${index}`)
  let timestamp = now
  if (entry.timestamp !== undefined) {
    const parsed = parseTime(entry.timestamp)
    if (parsed === undefined) {
      throw new MonlightError(
        'VALIDATION_FAILED',
        `Invalid log entry ${index}: timestamp must be an ISO 8601 date or epoch milliseconds`,
      )
    }
    // A clock a day ahead is broken (its entries would stay first in every list); before 1970 is no log time.
    if (parsed > now + MAX_CLOCK_SKEW_MS || parsed < 0) {
      throw new MonlightError(
        'VALIDATION_FAILED',
        `Invalid log entry ${index}: timestamp ${new Date(parsed).toISOString()} is ${parsed < 0 ? 'before 1970' : 'more than 24 hours in the future'}`,
      )
    }
    timestamp = parsed
  }
  let level = entry.level === undefined ? undefined : parseLevel(entry.level)
  if (entry.level !== undefined && !level) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Invalid log entry ${index}: level must be DEBUG, INFO, WARNING, ERROR or CRITICAL`,
    )
  }
  if (entry.attributes && nestsDeeperThan(entry.attributes)) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Invalid log entry ${index}: attributes nest deeper than ${MAX_JSON_DEPTH} levels`,
    )
  }
  const message = withoutNul(clipMessage(entry.message))
  level ??= (entry.attributes && fieldsLevel(entry.attributes)) || detectLevel(message, entry.stream)
  return {
    timestamp,
    container: withoutNul(entry.container ?? entry.source ?? 'default'),
    stream: entry.stream,
    level,
    message,
    attributes: entry.attributes ? JSON.stringify(entry.attributes) : null,
  }
}

/** An entry as the API shows it (upstream field names, ISO timestamps). */
export interface LogView {
  id: number
  timestamp: string
  container: string
  stream: string
  level: string
  message: string
  attributes?: Record<string, unknown>
}

export function toView(entry: StoredEntry): LogView {
  const view: LogView = {
    id: entry.id,
    timestamp: new Date(entry.timestamp).toISOString(),
    container: entry.container,
    stream: entry.stream,
    level: entry.level,
    message: entry.message,
  }
  if (entry.attributes) view.attributes = JSON.parse(entry.attributes) as Record<string, unknown>
  return view
}

/** PostgreSQL text cannot hold NUL: U+FFFD instead, on every dialect alike (as the error tracker stores it). */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text
}
