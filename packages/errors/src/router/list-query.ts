import { MonlightError } from '@monlight/core'
import { storable } from '../service/validate.js'
import type { ListFilter } from '../store/store.js'

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 200

/**
 * `GET /api/errors` parameters, read as upstream does (unknown `source` values and unparsable numbers fall back
 * to defaults, `resolved` is `true`/`1` or unresolved), plus `search` and `environment`. Values arrive
 * URL-decoded. An unreadable `since` is a 400 rather than a silent string comparison.
 */
export function toListFilter(raw: Record<string, string>): ListFilter {
  const query = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, storable(value)]))
  const limit = toInt(query.limit)
  const offset = toInt(query.offset)
  return {
    project: query.project || undefined,
    resolved: query.resolved === 'true' || query.resolved === '1',
    source: query.source === 'browser' || query.source === 'server' ? query.source : undefined,
    sessionId: query.session_id || undefined,
    since: toSince(query.since),
    search: query.search?.trim() || undefined,
    environment: query.environment || undefined,
    limit: limit === undefined || limit <= 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT),
    offset: offset === undefined || offset < 0 ? 0 : offset,
  }
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d{1,15}$/.test(value.trim())) return undefined
  return Number(value)
}

function toSince(value: string | undefined): number | undefined {
  if (!value) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      "Query parameter 'since' must be an ISO 8601 timestamp, e.g. 2026-11-25T10:00:00Z",
    )
  }
  return ms
}
