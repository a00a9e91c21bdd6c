import {
  createCors,
  createModuleApp,
  findUiDir,
  type Logger,
  MonlightError,
  matchOrigin,
  mountUi,
  readQuery,
  readText,
  routeMeta,
} from '@monlight/core'
import type { H3, H3Event } from 'h3'
import { createEdge } from '../receivers/edge.js'
import { mountLokiRoutes } from '../receivers/loki/routes.js'
import type { CumulativeTracker, SeriesBudget } from '../receivers/metric-points.js'
import { mountOtlpRoutes } from '../receivers/otlp/routes.js'
import { mountPrometheusRoutes } from '../receivers/prometheus/routes.js'
import type { ReceiverDeps } from '../receivers/receiver.js'
import { mountSentryApiRoutes, type SentryApiLimits } from '../receivers/sentry/api-routes.js'
import { mountSentryRoutes, type SentryLimits } from '../receivers/sentry/routes.js'
import type { BundleAssembler } from '../service/bundle-assembly.js'
import type { Forwarder } from '../service/forward.js'
import type { DsnKey, RelayService } from '../service/service.js'
import { sentryDsn } from '../service/snippets.js'
import { requestBase } from './base-url.js'
import { readSourceMapUploads } from './multipart.js'

const BROWSER_BODY_LIMIT = 64 * 1024
const ALLOW_HEADERS = ['X-Monlight-Key', 'Content-Type']

export interface RelayRouterDeps {
  service: RelayService
  forwarder: Forwarder
  assembler: BundleAssembler
  sentry: SentryLimits
  sentryApi: SentryApiLimits
  receivers: { maxBodyBytes: number; maxDecodedBytes: number }
  /** The receivers' state, shared with the scrape job: cumulative series and series per metric. */
  cumulative: CumulativeTracker
  series: SeriesBudget
  /** Where apps reach the relay, for the DSNs shown; default: the request's own origin and mount path. */
  publicUrl: string | undefined
  now: () => number
  apiKeys: string[] | false
  corsOrigins: readonly string[]
  rateLimit: number | false
  maxMapBytes: number
  logger: Logger
  uiDir?: string
}

/** Upstream's relay routes (contract §5) plus key settings and multipart map uploads, and the admin UI at `/`. */
export function createRelayRouter(deps: RelayRouterDeps): H3 {
  const { service } = deps
  const app = createModuleApp({
    name: 'relay',
    auth: deps.apiKeys ? { apiKeys: deps.apiKeys } : false,
    bodyLimit: BROWSER_BODY_LIMIT,
    logger: deps.logger,
  })
  // One edge for every ingestion route: the browser endpoints and the receivers share its per-key rate limits.
  const edge = createEdge({
    corsOrigins: deps.corsOrigins,
    apiKeys: deps.apiKeys,
    service,
    rateLimit: deps.rateLimit,
  })
  let cors: { origins: string[]; handler: ReturnType<typeof createCors> } | undefined
  const corsFor = (origins: string[]) => {
    if (cors?.origins !== origins) {
      cors = {
        origins,
        handler: createCors({ origins, allowHeaders: ALLOW_HEADERS, methods: ['POST', 'OPTIONS'] }),
      }
    }
    return cors.handler
  }

  /** CORS, DSN auth, per-key origins and rate limit, body: what every browser endpoint does first. */
  const browserRequest = async (event: H3Event): Promise<{ key: DsnKey; body: unknown }> => {
    const preflight = corsFor(await service.preflightOrigins()).handle(event)
    if (preflight) throw preflight
    if (event.req.method === 'OPTIONS') {
      throw new MonlightError(
        'FORBIDDEN',
        "Origin not allowed: add it to CORS_ORIGINS or to the DSN key's allowed origins",
      )
    }
    const key = await service.authenticate(
      event.req.headers.get('x-monlight-key') ?? readQuery(event).key ?? undefined,
    )
    if (!key) throw new MonlightError('UNAUTHORIZED', 'Invalid DSN key')
    checkKeyOrigin(event, key, deps.corsOrigins)
    const decision = edge.take(key, deps.rateLimit)
    if (decision && !decision.allowed) {
      throw new MonlightError('RATE_LIMITED', 'Rate limit exceeded', {
        body: { retry_after: decision.retryAfterSeconds },
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      })
    }
    return { key, body: await readBody(event) }
  }

  // Browser endpoints: DSN-authenticated, so open to the admin-key check.
  const browser = routeMeta({ public: true })
  const answerPreflight = async (event: H3Event) => {
    try {
      await browserRequest(event)
    } catch (error) {
      if (error instanceof Response) return error
      throw error
    }
  }
  app.post(
    '/api/browser/errors',
    async (event) => {
      const { key, body } = await browserRequest(event)
      const result = await service.ingestError(key, body)
      event.res.status = result.status
      return result.body
    },
    browser,
  )
  app.post(
    '/api/browser/metrics',
    async (event) => {
      const { key, body } = await browserRequest(event)
      const count = await service.ingestMetrics(key, body)
      event.res.status = 202
      return { status: 'accepted', count }
    },
    browser,
  )
  app.options('/api/browser/**', answerPreflight, browser)
  app.all(
    '/api/browser/**',
    async (event) => {
      const isEndpoint = /\/api\/browser\/(errors|metrics)$/.test(event.url.pathname)
      await browserRequestHeadersOnly(event)
      throw isEndpoint
        ? new MonlightError('METHOD_NOT_ALLOWED', 'Method not allowed')
        : new MonlightError('NOT_FOUND', 'Not found')
    },
    browser,
  )
  /** CORS headers and DSN auth for requests that end in 404/405, so the browser can read why. */
  const browserRequestHeadersOnly = async (event: H3Event) => {
    corsFor(await service.preflightOrigins()).handle(event)
    const key = await service.authenticate(event.req.headers.get('x-monlight-key') ?? readQuery(event).key)
    if (!key) throw new MonlightError('UNAUTHORIZED', 'Invalid DSN key')
  }

  // Third-party protocols (one folder per receiver under ../receivers), sharing the per-key origin and rate rules.
  mountSentryRoutes(app, {
    service,
    forwarder: deps.forwarder,
    edge,
    limits: deps.sentry,
    rateLimit: deps.rateLimit,
    logger: deps.logger,
    now: deps.now,
  })

  const receiver: ReceiverDeps = {
    forwarder: deps.forwarder,
    edge,
    cumulative: deps.cumulative,
    series: deps.series,
    limits: deps.receivers,
    logger: deps.logger,
    now: deps.now,
  }
  mountOtlpRoutes(app, receiver)
  mountLokiRoutes(app, receiver)
  mountPrometheusRoutes(app, receiver)

  // Sentry's upload API (admin key as a bearer token), for sentry-cli and the bundler plugins.
  mountSentryApiRoutes(app, {
    service,
    assembler: deps.assembler,
    limits: deps.sentryApi,
    publicUrl: deps.publicUrl,
    now: deps.now,
  })

  // DSN keys (admin), each with the Sentry DSN to paste into an SDK.
  const withDsn = (event: H3Event, key: DsnKey) => ({
    ...key,
    dsn: sentryDsn(key, deps.publicUrl ?? requestBase(event, '/api/dsn-keys')),
  })
  app.post('/api/dsn-keys', async (event) => {
    const key = await service.createKey(await readBody(event))
    event.res.status = 201
    return withDsn(event, key)
  })
  app.get('/api/dsn-keys', async (event) => ({
    keys: (await service.listKeys()).map((key) => withDsn(event, key)),
  }))
  app.delete('/api/dsn-keys/:id', async (event) => {
    await service.deactivateKey(readId(event))
    return { status: 'deactivated' }
  })
  app.patch('/api/dsn-keys/:id', async (event) =>
    withDsn(event, await service.updateKey(readId(event), await readBody(event))),
  )
  methodNotAllowed(app, '/api/dsn-keys')
  methodNotAllowed(app, '/api/dsn-keys/**')

  // Source maps (admin). The JSON form carries the map as an escaped string, hence room for twice its size.
  app.post(
    '/api/source-maps',
    async (event) => {
      const contentType = event.req.headers.get('content-type') ?? ''
      event.res.status = 201
      if (/^multipart\/form-data/i.test(contentType)) {
        const uploads = await readSourceMapUploads(event)
        const files: string[] = []
        for (const upload of uploads) files.push((await service.putSourceMap(upload)).file_url)
        return {
          status: 'uploaded',
          project: uploads[0]!.project,
          release: uploads[0]!.release,
          file_url: files[0],
          files,
        }
      }
      return { status: 'uploaded', ...(await service.putSourceMap(await readBody(event))) }
    },
    routeMeta({ bodyLimit: deps.maxMapBytes * 2 + BROWSER_BODY_LIMIT }),
  )
  app.get('/api/source-maps', async (event) => {
    const { project } = readQuery(event)
    const sourceMaps = await service.listSourceMaps(project || undefined)
    return { source_maps: sourceMaps, total: sourceMaps.length }
  })
  app.delete('/api/source-maps/:id', async (event) => {
    await service.deleteSourceMap(readId(event))
    return { status: 'deleted' }
  })
  methodNotAllowed(app, '/api/source-maps')
  methodNotAllowed(app, '/api/source-maps/**')

  mountUi(app, { dir: deps.uiDir ?? findUiDir(import.meta.url) })
  return app
}

/**
 * A key with its own allowed origins refuses other origins (per-project CORS); for any key, an origin allowed
 * only by another key's list gets no CORS headers.
 */
function checkKeyOrigin(event: H3Event, key: DsnKey, globalOrigins: readonly string[]): void {
  const origin = event.req.headers.get('origin')
  if (!origin) return
  const allowed = [...globalOrigins, ...key.allowed_origins].some((pattern) => matchOrigin(pattern, origin))
  if (allowed) return
  event.res.headers.delete('access-control-allow-origin')
  event.res.headers.delete('access-control-expose-headers')
  if (key.allowed_origins.length > 0) {
    throw new MonlightError('FORBIDDEN', `Origin ${origin.slice(0, 256)} is not allowed for this DSN key`)
  }
}

/** The body as JSON; `text/plain` (sendBeacon, no-preflight sends) is read the same way. */
async function readBody(event: H3Event): Promise<unknown> {
  const text = await readText(event)
  if (text.trim() === '') throw new MonlightError('BAD_REQUEST', 'Empty request body')
  try {
    return JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'Invalid JSON')
  }
}

function readId(event: H3Event): number {
  const raw = event.context.params?.id ?? ''
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0
  if (id < 1) throw new MonlightError('BAD_REQUEST', 'Invalid ID')
  return id
}

function methodNotAllowed(app: H3, path: string): void {
  app.all(path, () => {
    throw new MonlightError('METHOD_NOT_ALLOWED', 'Method not allowed')
  })
}
