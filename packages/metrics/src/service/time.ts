/** Time in this module: epoch milliseconds everywhere inside, upstream's `YYYY-MM-DDTHH:MM:SSZ` on the API. */

export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/** Rollup tiers, finest first. Days are kept for whole-window figures (top metrics, Web Vitals by page). */
export const RESOLUTIONS = ['minute', 'hour', 'day'] as const
export type Resolution = (typeof RESOLUTIONS)[number]

export const RESOLUTION_MS: Record<Resolution, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS }

/** Start of the bucket that contains `ms`. */
export const bucketStart = (ms: number, resolution: Resolution) => ms - mod(ms, RESOLUTION_MS[resolution])

const mod = (a: number, b: number) => ((a % b) + b) % b

/** `2026-11-25T10:00:00Z`: second precision with a literal Z, as upstream prints timestamps. */
export function toIsoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS }
/** Longest period a query may ask for (ten years): beyond it nothing is retained anyway. */
export const MAX_PERIOD_MS = 3650 * DAY_MS

/**
 * Reads a period such as `1h`, `24h`, `7d` or `90s` into milliseconds; `undefined` when it is not
 * `<positive integer><s|m|h|d>` or longer than {@link MAX_PERIOD_MS}.
 */
export function parsePeriod(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,9})([smhd])$/.exec(text)
  if (!match) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!
  return ms <= MAX_PERIOD_MS ? ms : undefined
}

/** Smallest plausible timestamp (2000-01-01) and largest (9999-12-31): outside them a client clock is broken. */
const MIN_TIMESTAMP = Date.UTC(2000, 0, 1)
const MAX_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59)
const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * Epoch ms for a client timestamp: ISO 8601 (with or without fractional seconds; no zone means UTC) or epoch
 * milliseconds. `undefined` when it is neither or out of range.
 */
export function parseTimestamp(value: unknown): number | undefined {
  let ms: number
  if (typeof value === 'number') ms = value
  else if (typeof value === 'string' && ISO_8601.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`
    ms = Date.parse(zoned.replace(' ', 'T'))
  } else return undefined
  if (!Number.isFinite(ms) || ms < MIN_TIMESTAMP || ms > MAX_TIMESTAMP) return undefined
  return Math.trunc(ms)
}
