import { MonlightError } from '@monlight/core'
import { storable } from '../service/validate.js'
import type { GroupSort, GroupStatus, ListFilter } from '../store/store.js'

const STATUSES: readonly GroupStatus[] = ['unresolved', 'resolved', 'ignored']
const SORTS: readonly GroupSort[] = ['last_seen', 'first_seen', 'count']
const MAX_TAG_TERMS = 10

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
  const { text, tags } = splitTags(query.search ?? '')
  const status = STATUSES.find((value) => value === query.status)
  const resolved = query.resolved === 'true' || query.resolved === '1'
  return {
    project: query.project || undefined,
    resolved: status ? status === 'resolved' : resolved,
    ...(status && { status }),
    ...(query.release && { release: query.release }),
    ...(tags.length > 0 && { tags }),
    ...(SORTS.includes(query.sort as never) && { sort: query.sort as GroupSort }),
    source: query.source === 'browser' || query.source === 'server' ? query.source : undefined,
    sessionId: query.session_id || undefined,
    since: toSince(query.since),
    search: text || undefined,
    environment: query.environment || undefined,
    limit: limit === undefined || limit <= 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT),
    offset: offset === undefined || offset < 0 ? 0 : offset,
  }
}

/**
 * `browser:Chrome release:"1.2 beta" timeout` → the tags `browser=Chrome`, `release=1.2 beta` and the text
 * `timeout`. A term is a tag when it is `key:value` with a key of letters, digits, `.`, `_` or `-` that starts
 * with a letter or `_`. URLs (`https://x/y`) and times (`10:30`) stay text; `url:https://x/y` is a tag.
 */
export function splitTags(search: string): { text: string; tags: [string, string][] } {
  const tags: [string, string][] = []
  const text = search
    .replace(
      /(?:^|\s)([A-Za-z_][\w.-]{0,63}):("([^"]*)"|(?!\/\/)\S+)/g,
      (term, key: string, raw: string, quoted?: string) => {
        if (tags.length >= MAX_TAG_TERMS) return term
        tags.push([key, quoted ?? raw])
        return ' '
      },
    )
    .replace(/\s+/g, ' ')
    .trim()
  return { text, tags }
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
