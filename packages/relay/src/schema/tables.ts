import type { Generated } from 'kysely'

export const DSN_KEY_TABLE = 'monlight_relay_dsn_keys'
export const SOURCE_MAP_TABLE = 'monlight_relay_source_maps'
export const PROJECT_TABLE = 'monlight_relay_projects'
export const CHUNK_TABLE = 'monlight_relay_chunks'
export const BUNDLE_TABLE = 'monlight_relay_bundles'

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
  /** Null for a debug-ID map uploaded without a release (found by its debug ID only). */
  release: string | null
  /** The URL path of the minified file the map belongs to (`/static/app.js`). */
  file_url: string
  /** The debug ID `sentry-cli sourcemaps inject` or a bundler plugin wrote into the file and its map. */
  debug_id: string | null
  map_content: string
  /** Bytes of map_content (UTF-8). */
  size: number
  /** `YYYY-MM-DDTHH:MM:SSZ`, as upstream. */
  uploaded_at: string
}

/** An uploaded piece of an artifact bundle, named by its SHA-1, kept until its bundle is assembled. */
export interface ChunkTable {
  checksum: string
  content: Uint8Array
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  uploaded_at: string
}

/** An artifact bundle assembled: asking to assemble it again (for the same projects and release) answers `ok`. */
export interface BundleTable {
  /** SHA-1 of the bundle's checksum, projects and release. */
  checksum: string
  /** What was stored. */
  detail: string
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  assembled_at: string
}

export interface RelayTables {
  [DSN_KEY_TABLE]: DsnKeyTable
  [SOURCE_MAP_TABLE]: SourceMapTable
  [PROJECT_TABLE]: ProjectTable
  [CHUNK_TABLE]: ChunkTable
  [BUNDLE_TABLE]: BundleTable
}
