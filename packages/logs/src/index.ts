/**
 * @module @monlight/logs
 *
 * The log viewer as a library: a store with full-text search (SQLite FTS5 or PostgreSQL tsvector), direct
 * ingestion (`POST /api/logs`, `logs.write()`), the query API, an SSE live tail, ring-buffer retention and a
 * web UI. Docker json-file ingestion is in `@monlight/logs/docker` and starts with the module when configured.
 */
import { createBus, createScheduler, type MonlightModule, migrate, resolveOptions } from '@monlight/core'
import { createDockerIngestor } from './docker/ingestor.js'
import { type LogsOptions, logsOptionsSchema } from './options.js'
import { createLogsRouter } from './router/router.js'
import { migrations } from './schema/migrations.js'
import { importUpstreamLogs } from './service/import-upstream.js'
import { createLogsService, type LogsService } from './service/service.js'
import { createLogsStore } from './store/store.js'
import { createTailHub } from './tail/hub.js'
import type { TailStreams } from './tail/sse.js'

export type { LogsOptions } from './options.js'
export { migrations } from './schema/migrations.js'
export type { LogInput, LogView } from './service/entries.js'
export { detectLevel, LEVELS, type Level, parseLevelFilter } from './service/levels.js'
export {
  type FieldFilter,
  type LogSearch,
  parseLogSearch,
  parseSearch,
  type SearchQuery,
} from './service/search-syntax.js'
export type { LogQuery, LogsService } from './service/service.js'

export interface LogsModule extends MonlightModule<LogsService> {
  readonly service: LogsService
  /** Stores entries in-process: the same path as `POST /api/logs`. */
  write: LogsService['write']
}

/**
 * Creates the logs module. Nothing runs until `start()`: that starts retention (and Docker ingestion when
 * `docker` is set).
 *
 * @example
 * const logs = createLogs({ database, apiKeys: ['secret'] })
 * await logs.migrate()
 * const stop = logs.start()
 * await logs.write([{ container: 'api', message: 'ready' }])
 */
export function createLogs(input: LogsOptions): LogsModule {
  const options = resolveOptions('@monlight/logs', logsOptionsSchema, input)
  const { database } = options
  const logger = options.logger
  const store = createLogsStore(database, logger)
  // In-process until start(): only a started module holds a LISTEN connection (PostgreSQL) for other instances.
  const localBus = options.bus ?? createBus({ logger })
  const hub = createTailHub(localBus, { maxSubscribers: options.tail.maxSubscribers })
  // A host's own bus may span instances: always publish to it.
  if (options.bus) hub.useBus(options.bus, true)
  const service = createLogsService({
    store,
    hub,
    now: options.now,
    onError: (message, error) => logger.warn(message, { error }),
  })
  const streams: TailStreams = new Set()
  const closeStreams = () => {
    for (const close of [...streams]) close('shutdown')
  }
  const router = createLogsRouter({
    service,
    hub,
    apiKeys: options.apiKeys,
    rateLimit: options.rateLimit,
    logger,
    streams,
    tail: {
      heartbeatMs: options.tail.heartbeatSeconds * 1000,
      maxDurationMs: options.tail.maxDurationSeconds * 1000,
      maxQueuedEvents: options.tail.maxQueuedEvents,
    },
  })

  return {
    name: 'logs',
    service,
    router,
    write: service.write,
    fetch: async (request) => router.fetch(request),
    importUpstream: (source) =>
      importUpstreamLogs(service.write, async () => (await service.stats()).total_logs === 0, source),
    closeStreams,
    migrate: () => migrate(database.db, { module: 'logs', migrations, dialect: database.dialect, logger }),
    start() {
      const sharedBus = !options.bus && database.driver === 'pg' ? createBus({ database, logger }) : undefined
      if (sharedBus) hub.useBus(sharedBus, true)
      const stopJobs = createScheduler({ name: 'logs', database, logger })
        .add({
          name: 'retention',
          intervalMs: options.retentionIntervalSeconds * 1000,
          run: (signal) =>
            service.applyRetention(options.maxEntries, options.maxAgeDays, signal).then(() => {}),
        })
        .start()
      const docker = options.docker
        ? createDockerIngestor({ ...options.docker, service, store, logger, now: options.now })
        : undefined
      const stopDocker = docker?.start()
      return async () => {
        closeStreams()
        await stopDocker?.()
        await stopJobs()
        if (sharedBus) {
          hub.useBus(localBus, false)
          await sharedBus.close()
        }
      }
    },
  }
}
