import type { Database, Logger, MonlightModule } from '@monlight/core'
import { createPlaceholderModule } from './placeholder-module.js'

/** What the server hands a module factory. */
export interface ModuleContext {
  /** The module's name, e.g. `errors`. */
  name: string
  /** The module's own SQLite file, or the database every module shares. */
  database: Database
  /** Keys accepted in `X-API-Key`; never empty. */
  apiKeys: string[]
  logger: Logger
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

/**
 * The modules `monlight` runs, in banner order. Plugging a real module in is one line, e.g.
 * `create: (ctx) => createErrors({ db: ctx.database.db, apiKeys: ctx.apiKeys, logger: ctx.logger })`.
 */
export const MODULES: readonly ModuleSlot[] = [
  {
    name: 'errors',
    title: 'Error tracking',
    defaultPort: 5010,
    file: 'errors.sqlite',
    create: createPlaceholderModule,
  },
  {
    name: 'logs',
    title: 'Log viewer',
    defaultPort: 5011,
    file: 'logs.sqlite',
    create: createPlaceholderModule,
  },
  {
    name: 'metrics',
    title: 'Metrics',
    defaultPort: 5012,
    file: 'metrics.sqlite',
    create: createPlaceholderModule,
  },
  {
    name: 'relay',
    title: 'Browser relay',
    defaultPort: 5013,
    file: 'relay.sqlite',
    create: createPlaceholderModule,
  },
]
