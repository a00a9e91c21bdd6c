import {
  createModuleApp,
  findUiDir,
  type Logger,
  MonlightError,
  mountUi,
  payloadTooLarge,
  readJson,
  readQuery,
  readText,
  routeMeta,
} from '@monlight/core'
import type { H3, H3Event } from 'h3'
import type { AlertDispatcher } from '../alerts/dispatcher.js'
import type { ErrorsService } from '../service/service.js'
import { toListFilter } from './list-query.js'

/** Upstream's ingest limit: 256 KiB. */
export const MAX_REPORT_BYTES = 262_144
/** A report carrying a structured `event` (the relay forwards Sentry events of up to 1 MiB) may be larger. */
export const MAX_EVENT_REPORT_BYTES = 1_179_648

export interface RouterDependencies {
  service: ErrorsService
  alerts: AlertDispatcher
  apiKeys: string[] | false
  rateLimit: number | false
  logger: Logger
  /** The built UI; default: this package's dist/ui. */
  uiDir?: string
}

/** The HTTP API (upstream paths, bodies and messages) and the web UI, relative to the module root. */
export function createErrorsRouter(deps: RouterDependencies): H3 {
  const { service } = deps
  const app = createModuleApp({
    name: 'errors',
    auth: deps.apiKeys ? { apiKeys: deps.apiKeys } : false,
    rateLimit: deps.rateLimit ? { perKey: deps.rateLimit, perAddress: deps.rateLimit } : false,
    logger: deps.logger,
  })

  app.post(
    '/api/errors',
    async (event) => {
      const text = await readText(event)
      const report = parseReport(text)
      // Upstream's limit holds for upstream's reports; only a structured event earns the larger one.
      if (
        text.length > MAX_REPORT_BYTES / 4 &&
        Buffer.byteLength(text) > MAX_REPORT_BYTES &&
        !hasEvent(report)
      ) {
        throw payloadTooLarge(MAX_REPORT_BYTES)
      }
      const result = await service.ingest(report as never)
      event.res.status = result.status === 'incremented' ? 200 : 201
      return result
    },
    routeMeta({ bodyLimit: MAX_EVENT_REPORT_BYTES }),
  )
  app.get('/api/errors', (event) => service.list(toListFilter(readQuery(event))))
  app.post('/api/errors/bulk', async (event) => service.bulk(await readJson(event)))
  app.get('/api/errors/:id', (event) => service.get(groupId(event)))
  app.get('/api/errors/:id/events', (event) => {
    const { limit, before } = readQuery(event)
    return service.events(groupId(event), {
      ...(limit && { limit: positiveNumber(limit, 'limit') }),
      ...(before && { before: positiveNumber(before, 'before') }),
    })
  })
  app.get('/api/errors/:id/events/:seq', (event) => {
    // Digits only, as ids: `Number()` would also read `0x10`, `1e2` and ` 5`.
    const raw = event.context.params?.seq ?? ''
    const seq = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(seq)) throw new MonlightError('NOT_FOUND', 'Event not found')
    return service.event(groupId(event), seq)
  })
  app.post('/api/errors/:id/resolve', async (event) => {
    const body = await optionalBody(event)
    const inRelease = body.in_release
    if (inRelease !== undefined && typeof inRelease !== 'string')
      throw new MonlightError('VALIDATION_FAILED', "Field 'in_release' must be a release name")
    return service.resolve(groupId(event), inRelease ? { inRelease } : {})
  })
  app.post('/api/errors/:id/unresolve', (event) => service.unresolve(groupId(event)))
  app.post('/api/errors/:id/ignore', async (event) =>
    service.ignore(groupId(event), await optionalBody(event)),
  )
  app.post('/api/errors/:id/unignore', (event) => service.unignore(groupId(event)))
  app.get('/api/facets', (event) => service.facets(readQuery(event).project || undefined))
  app.get('/api/projects', () => service.projects())

  app.post('/api/test-alert', (event) => {
    if (deps.alerts.channels.length === 0) {
      throw new MonlightError('SERVICE_UNAVAILABLE', 'SMTP not configured: SMTP_HOST is not set')
    }
    const { sent, problems } = deps.alerts.test()
    if (sent.length === 0) throw new MonlightError('SERVICE_UNAVAILABLE', problems.join('; '))
    event.res.status = 202
    return {
      status: 'test alert dispatched',
      detail: 'Check service logs for SMTP transaction result',
      channels: sent,
      ...(problems.length > 0 ? { problems } : undefined),
    }
  })

  mountUi(app, { dir: deps.uiDir ?? findUiDir(import.meta.url), pages: ['/errors/:id'] })
  return app
}

function parseReport(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'Invalid JSON')
  }
}

function hasEvent(report: unknown): boolean {
  const value = (report as { event?: unknown } | null)?.event
  return typeof value === 'object' && value !== null
}

/** A JSON object body, or `{}` when there is none (upstream's resolve takes no body). */
async function optionalBody(event: H3Event): Promise<Record<string, unknown>> {
  const text = await readText(event)
  if (text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'Invalid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MonlightError('VALIDATION_FAILED', 'Request body must be a JSON object')
  return body as Record<string, unknown>
}

function positiveNumber(value: string, name: string): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : 0
  if (n < 1)
    throw new MonlightError('VALIDATION_FAILED', `Query parameter '${name}' must be a positive whole number`)
  return n
}

/** A positive integer id; anything else is a 404 (upstream listed errors for `/api/errors/abc`). */
function groupId(event: H3Event): number {
  const raw = event.context.params?.id ?? ''
  const id = /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(id)) throw new MonlightError('NOT_FOUND', 'Error not found')
  return id
}
