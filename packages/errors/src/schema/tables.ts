/** Kysely table types. Times are epoch milliseconds; `resolved` is 0/1 on every dialect. */

export const GROUP_TABLE = 'monlight_errors_group'
export const OCCURRENCE_TABLE = 'monlight_errors_occurrence'
export const ENVIRONMENT_TABLE = 'monlight_errors_environment'

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
}

/** One report of a group; the newest five per group are kept, in slots 0–4 (`slot = (seq - 1) % 5`). */
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
}
