import { existsSync } from 'node:fs'
import { MonlightConfigError, type MonlightModule } from '@monlight/core'
import type { Env } from '../config.js'
import type { ModuleContext } from '../modules.js'

// Loaded by name at run time so the server's bundle keeps @monlight/logs external: bundled, the module would
// look for its web UI (dist/ui) relative to the server's files.
const LOGS_PACKAGE = '@monlight/logs'
const DOCKER_CONTAINERS = '/var/lib/docker/containers'

/**
 * Builds the logs module of the standalone stack. Upstream's variables: CONTAINERS (names or globs; empty or `*`
 * = all), LOG_SOURCES, MAX_ENTRIES, POLL_INTERVAL, TAIL_BUFFER; ours: MAX_AGE_DAYS, TAIL_MAX_SUBSCRIBERS,
 * RATE_LIMIT. Docker ingestion runs when LOG_SOURCES or CONTAINERS is set, or Docker's folder exists.
 */
export async function createLogsSlot(context: ModuleContext): Promise<MonlightModule> {
  const { createLogs } = (await import(LOGS_PACKAGE)) as typeof import('@monlight/logs')
  const env = context.env
  const sources = env.LOG_SOURCES?.trim() || undefined
  const containers = env.CONTAINERS
  const rate = positive(env, 'RATE_LIMIT')
  const docker = sources !== undefined || containers !== undefined || existsSync(DOCKER_CONTAINERS)
  return createLogs({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    maxEntries: positive(env, 'MAX_ENTRIES'),
    maxAgeDays: positive(env, 'MAX_AGE_DAYS'),
    rateLimit: rate ? { perKey: rate, perAddress: rate } : false,
    tail: { maxSubscribers: positive(env, 'TAIL_MAX_SUBSCRIBERS') },
    docker: docker
      ? {
          sources: sources ?? DOCKER_CONTAINERS,
          containers: (containers ?? '').split(','),
          pollIntervalSeconds: positive(env, 'POLL_INTERVAL'),
          tailBuffer: positive(env, 'TAIL_BUFFER', 0),
        }
      : undefined,
  })
}

/** An optional whole number ≥ `min` from the environment; anything else names the variable. */
function positive(env: Env, name: string, min = 1): number | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  if (/^\d+$/.test(raw) && Number(raw) >= min && Number.isSafeInteger(Number(raw))) return Number(raw)
  throw new MonlightConfigError(`${name}=${raw} is invalid: use a whole number of at least ${min}`)
}
