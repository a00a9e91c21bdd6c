import type { Generated } from 'kysely'

export const DSN_KEY_TABLE = 'monlight_relay_dsn_keys'
export const SOURCE_MAP_TABLE = 'monlight_relay_source_maps'
export const PROJECT_TABLE = 'monlight_relay_projects'

/** A project's number, the last part of a Sentry DSN (`http://<key>@host/<id>`); Sentry SDKs want it numeric. */
export interface ProjectTable {
  id: Generated<number>
  name: string
}

export interface DsnKeyTable {
  id: Generated<number>
  public_key: string
  project: string
  /** 1 active, 0 deactivated (soft delete, as upstream). */
  active: number
  /** `YYYY-MM-DDTHH:MM:SSZ`, as upstream. */
  created_at: string
  /** JSON array of origin rules allowed for this key on top of the global ones. */
  allowed_origins: string
  /** Requests per minute for this key; null: the relay's default. */
  rate_limit: number | null
}

export interface SourceMapTable {
  id: Generated<number>
  project: string
  release: string
  file_url: string
  map_content: string
  /** Bytes of map_content (UTF-8). */
  size: number
  /** `YYYY-MM-DDTHH:MM:SSZ`, as upstream. */
  uploaded_at: string
}

export interface RelayTables {
  [DSN_KEY_TABLE]: DsnKeyTable
  [SOURCE_MAP_TABLE]: SourceMapTable
  [PROJECT_TABLE]: ProjectTable
}
