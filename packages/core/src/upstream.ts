/**
 * Reading the original Monlight's SQLite files (`monlight import --from <dir>`): each module imports its own
 * tables through this small interface, so the module owns the mapping and the CLI only opens the files.
 */

/** Rows of a query on an original database (better-sqlite3's `prepare(sql).all()`, read-only). */
export interface UpstreamRows {
  all(sql: string): Record<string, unknown>[]
}

/**
 * An original timestamp (`2026-01-20T10:00:00Z`, `2026-01-20 10:00:00`, with or without fractions; UTC) in epoch
 * ms; `fallback` when it is missing or unreadable (upstream stored some client timestamps verbatim).
 */
export function upstreamTime(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || value.trim() === '') return fallback
  const text = value.trim().replace(' ', 'T')
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`)
  return Number.isFinite(ms) ? ms : fallback
}
