import {
  createModuleApp,
  findUiDir,
  type Logger,
  type ModuleAppOptions,
  MonlightError,
  mountUi,
  readJson,
  readQuery,
  routeMeta,
} from '@monlight/core'
import type { H3 } from 'h3'
import { MAX_BATCH } from '../service/entries.js'
import type { LogsService } from '../service/service.js'
import type { TailHub } from '../tail/hub.js'
import { openTailStream, type SseOptions, type TailStreams } from '../tail/sse.js'

export interface LogsRouterOptions {
  service: LogsService
  hub: TailHub
  apiKeys: string[] | false
  rateLimit: ModuleAppOptions['rateLimit']
  logger: Logger
  tail: SseOptions
  streams: TailStreams
}

/** A batch of 1,000 entries with stack traces fits; upstream's 64 KiB would not. */
const INGEST_BODY_LIMIT = 4 * 1024 * 1024

/** The log viewer's HTTP API (upstream paths plus the documented aliases) and its web UI. */
export function createLogsRouter(options: LogsRouterOptions): H3 {
  const { service } = options
  const app = createModuleApp({
    name: 'logs',
    auth: options.apiKeys ? { apiKeys: options.apiKeys } : false,
    rateLimit: options.rateLimit,
    logger: options.logger,
    health: () => service.health(),
  })

  app.get('/api/logs', (event) => service.query(readQuery(event)))
  app.post(
    '/api/logs',
    async (event) => {
      const result = await service.write(readBatch(await readJson(event)))
      event.res.status = 202
      return { status: 'accepted', count: result.count }
    },
    routeMeta({ bodyLimit: INGEST_BODY_LIMIT }),
  )
  for (const path of ['/api/containers', '/api/logs/containers']) app.get(path, () => service.containers())
  for (const path of ['/api/stats', '/api/logs/stats']) app.get(path, () => service.stats())
  app.get('/api/logs/tail', (event) => {
    const query = readQuery(event)
    return openTailStream(options.hub, service.tailFilter(query), options.tail, options.streams)
  })

  mountUi(app, { dir: findUiDir(import.meta.url) })
  return app
}

function readBatch(body: unknown): unknown[] {
  const list = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null && Array.isArray((body as { logs?: unknown }).logs)
      ? (body as { logs: unknown[] }).logs
      : undefined
  if (!list) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      'Request body must be a JSON array of log entries or {"logs":[...]}, each with at least "message"',
    )
  }
  if (list.length > MAX_BATCH) {
    throw new MonlightError('VALIDATION_FAILED', `Too many log entries in one request (at most ${MAX_BATCH})`)
  }
  return list
}
