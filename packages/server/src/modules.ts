import type { Database, Logger, MonlightModule } from '@monlight/core'
import type { Env } from './config.js'
import { createErrorsSlot } from './modules/errors.js'
import { createLogsSlot } from './modules/logs.js'
import { createMetricsSlot } from './modules/metrics.js'
import { createRelaySlot } from './modules/relay.js'

/** What the server hands a module factory. */
export interface ModuleContext {
  /** The module's name, e.g. `errors`. */
  name: string
  /** The module's own SQLite file, or the database every module shares. */
  database: Database
  /** Keys accepted in `X-API-Key`; never empty. */
  apiKeys: string[]
  logger: Logger
  /** The environment, for the module's own variables (upstream names such as `SMTP_HOST`). */
  env: Env
  /** The modules built before this one, by name (the relay forwards to `errors` and `metrics` in-process). */
  modules: ReadonlyMap<string, MonlightModule>
}

/** One module of the standalone stack: where it listens by default, where its SQLite file lives, how to build it. */
export interface ModuleSlot {
  name: string
  /** Shown on the single-port index page, e.g. `Error tracking`. */
  title?: string
  /** Port in the port-per-module layout, as upstream (5010–5013). */
  defaultPort: number
  /** Its SQLite file inside the data dir. */
  file: string
  create(context: ModuleContext): MonlightModule | Promise<MonlightModule>
}

/** The modules `monlight` runs, in banner order; each `create` lives in `./modules/<name>.ts`. */
export const MODULES: readonly ModuleSlot[] = [
  {
    name: 'errors',
    title: 'Error tracking',
    defaultPort: 5010,
    file: 'errors.sqlite',
    create: createErrorsSlot,
  },
  {
    name: 'logs',
    title: 'Log viewer',
    defaultPort: 5011,
    file: 'logs.sqlite',
    create: createLogsSlot,
  },
  {
    name: 'metrics',
    title: 'Metrics',
    defaultPort: 5012,
    file: 'metrics.sqlite',
    create: createMetricsSlot,
  },
  {
    name: 'relay',
    title: 'Browser relay',
    defaultPort: 5013,
    file: 'relay.sqlite',
    create: createRelaySlot,
  },
]
