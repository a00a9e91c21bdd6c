/** Kysely table types. Times are epoch milliseconds; `resolved` is 0/1 on every dialect. */

export const GROUP_TABLE = 'monlight_errors_group'
export const OCCURRENCE_TABLE = 'monlight_errors_occurrence'
export const ENVIRONMENT_TABLE = 'monlight_errors_environment'
export const TAG_TABLE = 'monlight_errors_tag'
export const HOUR_TABLE = 'monlight_errors_hour'

/** One error group: every report with the same fingerprint. Message and traceback are the first report's. */
export interface GroupTable {
  id: number
  fingerprint: string
  project: string
  exception_type: string
  message: string
  traceback: string
  count: number
  first_seen: number
  last_seen: number
  resolved: number
  resolved_at: number | null
  /** 1 once any report came from a browser (request_method `BROWSER`); never reset, so `source` is stable. */
  browser: number
  /** The first report's level (`error`, `warning`, `fatal`...), platform and where it happened (migration 0002). */
  level: string | null
  platform: string | null
  culprit: string | null
  first_release: string | null
  last_release: string | null
  /** Resolved "in release X": reports of X or earlier count without reopening the group. */
  resolved_in_release: string | null
  /** 1 while ignored: until `muted_until` (epoch ms) or until the count reaches `muted_until_count`, or forever. */
  muted: number
  muted_until: number | null
  muted_until_count: number | null
}

/** One report of a group; the newest N per group are kept, in slots 0…N-1 (`slot = (seq - 1) % N`). */
export interface OccurrenceTable {
  group_id: number
  slot: number
  /** 1 for the group's first report, then 2, 3, ... (the group's count when it was reported). */
  seq: number
  timestamp: number
  traceback: string
  request_url: string | null
  request_method: string | null
  /** Compact JSON text. */
  request_headers: string | null
  user_id: string | null
  /** Compact JSON text. */
  extra: string | null
  environment: string | null
  /** The event's own id (32 hex), for deduplicating SDK retries (migration 0002). */
  event_id: string | null
  release: string | null
  level: string | null
  /** The normalized event as compact JSON (core's `ErrorEvent` plus `truncated`), or null for upstream reports. */
  event: string | null
}

/** Tag values seen on a group, with how often (for facets and `key:value` search). */
export interface TagTable {
  group_id: number
  key: string
  value: string
  count: number
  last_seen: number
}

/** Reports per group and hour (`hour` = epoch ms / 3 600 000, floored), for sparklines and charts. */
export interface HourTable {
  group_id: number
  hour: number
  count: number
}

/** The environments a group was reported from (for the `environment` filter; kept beyond the last five). */
export interface EnvironmentTable {
  group_id: number
  environment: string
}

export interface ErrorsTables {
  [GROUP_TABLE]: GroupTable
  [OCCURRENCE_TABLE]: OccurrenceTable
  [ENVIRONMENT_TABLE]: EnvironmentTable
  [TAG_TABLE]: TagTable
  [HOUR_TABLE]: HourTable
}
