const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `30s`, `5m`, `24h`, `7d` → milliseconds; `undefined` for anything else (empty means "all time"). */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhd])\s*$/.exec(text)
  return match ? Number(match[1]) * (UNITS[match[2] as string] as number) : undefined
}

/** ISO timestamp `duration` ago, for `since=` filters; `undefined` when the duration is empty or invalid. */
export function sinceIso(duration: string, now = Date.now()): string | undefined {
  const ms = parseDuration(duration)
  return ms === undefined ? undefined : new Date(now - ms).toISOString()
}

/**
 * The `since=` of a time-range field: undefined when the field is empty; a value that is not a duration throws
 * an error saying what to type, for the page to show (rather than silently searching all time).
 */
export function sinceParam(text: string, now = Date.now()): string | undefined {
  if (!text.trim()) return undefined
  const since = sinceIso(text, now)
  if (since === undefined) {
    throw new Error(
      `Time range '${text.trim().slice(0, 40)}' is not understood: use a number with s, m, h or d, such as 30m, 24h or 7d`,
    )
  }
  return since
}

/** Accepts epoch ms, ISO 8601, and upstream's `YYYY-MM-DD HH:MM:SS` (UTC). */
export function toDate(value: string | number | Date): Date {
  if (value instanceof Date) return value
  if (typeof value === 'number') return new Date(value)
  return new Date(
    /^\d{4}-\d\d-\d\d \d/.test(value) && !/[zZ+]/.test(value) ? `${value.replace(' ', 'T')}Z` : value,
  )
}

/** `12s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function timeAgo(value: string | number | Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - toDate(value).getTime()) / 1000))
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`
  return `${Math.floor(seconds / 86_400)}d ago`
}

/** Local date and time, e.g. for a `title` tooltip. */
export function formatDateTime(value: string | number | Date): string {
  return toDate(value).toLocaleString()
}

/** `1234567` → `1,234,567`; fractions keep up to 3 significant decimals. */
export function formatNumber(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 })
}
