import type { Database, Logger } from '@monlight/core'
import type { ErrorsOptions } from '@monlight/errors'
import type { MetricsOptions } from '@monlight/metrics'
import type { EmbeddedModules } from './setup.js'

export interface EmbedOptions {
  /** A database URL (`sqlite:./data/monlight.sqlite`, `postgres://…`) or an open `Database`. Default: that SQLite file. */
  database?: string | Database
  /** Keys for the embedded UIs and APIs (`X-API-Key`), or `false` when your app authenticates those paths itself. */
  apiKeys: string[] | false
  /** Where the UIs and APIs are mounted. Default `/monlight`. */
  path?: string
  logger?: Logger
  /** Options for `createErrors()` (alerts, retention...). */
  errors?: Omit<ErrorsOptions, 'database' | 'apiKeys'>
  /** Options for `createMetrics()` (retention...). */
  metrics?: Omit<MetricsOptions, 'database' | 'apiKeys'>
}

export interface Embedded extends EmbeddedModules {
  /** Stops the modules' background jobs and closes the database if it was opened here. */
  close(): Promise<void>
}

/**
 * Runs the error tracker and the metrics collector inside your app: opens the database, migrates, starts their
 * background jobs (retention, rollups). Pass the result as `embedded` to `setupMonlight`. Needs `@monlight/errors`
 * and `@monlight/metrics` installed.
 *
 * @example
 * const embedded = await embedMonlight({ apiKeys: [process.env.MONLIGHT_API_KEY] })
 * setupMonlight(app, { project: 'shop', embedded })   // UIs at /monlight/errors/ and /monlight/metrics/
 */
export async function embedMonlight(options: EmbedOptions): Promise<Embedded> {
  // Loaded here, not at the top: an app that only reports over HTTP never loads the server kernel.
  const [{ createDatabase }, { createErrors }, { createMetrics }] = await Promise.all([
    import('@monlight/core'),
    import('@monlight/errors').catch(missing('@monlight/errors')),
    import('@monlight/metrics').catch(missing('@monlight/metrics')),
  ])
  const owned = typeof options.database !== 'object'
  const database =
    typeof options.database === 'object'
      ? options.database
      : await createDatabase(options.database ?? 'sqlite:./data/monlight.sqlite')
  try {
    const shared = { database, apiKeys: options.apiKeys, ...(options.logger && { logger: options.logger }) }
    const errors = createErrors({ ...options.errors, ...shared })
    const metrics = createMetrics({ ...options.metrics, ...shared })
    await errors.migrate()
    await metrics.migrate()
    const stops = [errors.start(), metrics.start()]
    return {
      errors,
      metrics,
      path: options.path,
      async close() {
        await Promise.all(stops.map((stop) => stop()))
        if (owned) await database.destroy()
      },
    }
  } catch (error) {
    if (owned) await database.destroy()
    throw error
  }
}

function missing(name: string) {
  return (cause: unknown): never => {
    throw new Error(`@monlight/node: embedMonlight needs ${name} (npm install ${name})`, { cause })
  }
}
