import { existsSync } from 'node:fs'
import type { MonlightModule } from '@monlight/core'
import { createLogs } from '@monlight/logs'
import type { ModuleContext } from '../modules.js'
import { envReader } from './env.js'

const DOCKER_CONTAINERS = '/var/lib/docker/containers'

/**
 * Builds the logs module of the standalone stack. Upstream's variables: CONTAINERS (names or globs; empty or `*`
 * = all), LOG_SOURCES, MAX_ENTRIES, POLL_INTERVAL, TAIL_BUFFER; ours: MAX_AGE_DAYS, TAIL_MAX_SUBSCRIBERS,
 * RATE_LIMIT. Docker ingestion runs when LOG_SOURCES or CONTAINERS is set, or Docker's folder exists.
 */
export function createLogsSlot(context: ModuleContext): MonlightModule {
  const env = envReader(context.env)
  const sources = env.text('LOG_SOURCES')
  const rate = env.integer('RATE_LIMIT')
  const docker =
    sources !== undefined || context.env.CONTAINERS !== undefined || existsSync(DOCKER_CONTAINERS)
  return createLogs({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    maxEntries: env.integer('MAX_ENTRIES'),
    maxAgeDays: env.integer('MAX_AGE_DAYS'),
    rateLimit: rate ? { perKey: rate, perAddress: rate } : false,
    tail: { maxSubscribers: env.integer('TAIL_MAX_SUBSCRIBERS') },
    docker: docker
      ? {
          sources: sources ?? DOCKER_CONTAINERS,
          containers: env.list('CONTAINERS'),
          pollIntervalSeconds: env.integer('POLL_INTERVAL'),
          tailBuffer: env.integer('TAIL_BUFFER', { min: 0 }),
        }
      : undefined,
  })
}
