import type { H3 } from 'h3'
import type { MigrateResult } from './database/migrate.js'
import type { ErrorIngest } from './ingest.js'
import type { UpstreamRows } from './upstream.js'

/**
 * What every Monlight module (`createErrors()`, `createLogs()`, ...) hands its host. Nothing runs on import or
 * construction: the host migrates, mounts the router and starts the background jobs when it chooses.
 */
export interface MonlightModule<Service = unknown> {
  /** `errors`, `logs`, `metrics` or `relay`. */
  readonly name: string
  /** The in-process API, e.g. the errors module's service implements {@link ErrorIngest}. */
  readonly service: Service
  /** The module's h3 app; its routes are relative to the module root. */
  readonly router: H3
  /** The router as a fetch handler: `(Request) => Promise<Response>`. */
  fetch(request: Request): Promise<Response>
  /** Applies this module's migrations only. */
  migrate(): Promise<MigrateResult>
  /** Starts background jobs; returns `stop()`. */
  start(): () => Promise<void>
  /**
   * Ends long-lived responses (the logs live tail) with a closing event, so a graceful shutdown does not wait on
   * them; hosts call it before closing their HTTP servers.
   */
  closeStreams?(): void
  /**
   * Copies this module's data from the original Monlight's SQLite file (`monlight import --from <dir>`) into the
   * module, which must be empty; returns counts by kind, e.g. `{ groups: 12, occurrences: 40 }`.
   */
  importUpstream?(source: UpstreamRows): Promise<Record<string, number>>
}
