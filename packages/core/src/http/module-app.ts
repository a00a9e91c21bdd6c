import { getRequestIP, H3, type H3Event, type H3RouteMeta } from 'h3'
import * as z from 'zod'
import { resolveOptions } from '../config.js'
import { MonlightError } from '../errors.js'
import { type Logger, silentLogger } from '../logger.js'
import { createApiKeyVerifier, readApiKey } from './auth.js'
import { checkDeclaredLength } from './body.js'
import { compressResponses } from './compress.js'
import { createRateLimiter, type RateLimiter } from './rate-limit.js'
import { renderError } from './render-error.js'
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_QUERY_LENGTH,
  type RequestState,
  setRequestState,
} from './request-state.js'

const positiveInt = z.int().positive()

export const moduleAppOptionsSchema = z.strictObject({
  /** Shown in logs, e.g. `errors`. */
  name: z.string().min(1),
  /** `false` leaves every route open (for hosts that authenticate themselves); otherwise one or more keys. */
  auth: z.union([
    z.literal(false),
    z.strictObject({ apiKeys: z.array(z.string().min(1, 'an API key must not be empty')).min(1) }),
  ]),
  /** Requests per window per API key and per client address; `false` (default) disables limiting. */
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        perKey: positiveInt.optional(),
        perAddress: positiveInt.optional(),
        windowMs: positiveInt.default(60_000),
        maxBuckets: positiveInt.default(10_000),
      }),
    ])
    .default(false),
  /** Largest request body in bytes; a route can set its own with `routeMeta({ bodyLimit })`. Default 1 MiB. */
  bodyLimit: positiveInt.default(DEFAULT_BODY_LIMIT),
  /** Longest accepted query parameter value. Default 2048 characters. */
  maxQueryLength: positiveInt.default(DEFAULT_MAX_QUERY_LENGTH),
  /** Take the client address from `X-Forwarded-For` (only behind a proxy you trust). Default false. */
  trustProxy: z.boolean().default(false),
  /** Extra fields for `GET /health`, e.g. counts. */
  health: z
    .custom<() => Record<string, unknown> | Promise<Record<string, unknown>>>(
      (value) => typeof value === 'function',
      'health must be a function',
    )
    .optional(),
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).default(silentLogger),
})

export type ModuleAppOptions = z.input<typeof moduleAppOptionsSchema>

/** Per-route settings read by the module app's middleware. */
export interface MonlightRouteMeta {
  /** Reachable without an API key and not rate limited (health, UI assets, DSN-authenticated endpoints). */
  public?: boolean
  /** Body limit for this route in bytes, instead of the app's. */
  bodyLimit?: number
}

/**
 * Route options carrying {@link MonlightRouteMeta}.
 *
 * @example
 * app.get('/', serveIndex, routeMeta({ public: true }))
 */
export function routeMeta(meta: MonlightRouteMeta): { meta: H3RouteMeta } {
  return { meta: { ...meta } }
}

/**
 * An h3 app with Monlight's HTTP conventions: API-key auth (`X-API-Key`, `Authorization: Bearer`, basic auth, `?api_key=`) on the routes that exist (an unknown
 * path is a 404 before auth), rate limits
 * per key and per client address (`429` with `Retry-After`), body-size limits, an open `GET /health`, and one
 * error mapper rendering `{"detail": "...", "code": "..."}` (unknown routes included).
 *
 * @example
 * const app = createModuleApp({ name: 'errors', auth: { apiKeys: [key] }, rateLimit: { perKey: 100 } })
 * app.post('/api/errors', async (event) => service.capture(await readJson(event)))
 */
export function createModuleApp(input: ModuleAppOptions): H3 {
  const options = resolveOptions('@monlight/core', moduleAppOptionsSchema, input)
  const logger = options.logger
  const verifyKey = options.auth ? createApiKeyVerifier(options.auth.apiKeys) : undefined
  const limits = options.rateLimit ? createLimits(options.rateLimit) : undefined

  const app = new H3({
    silent: true,
    // A mounting app shares its context with ours (h3 passes it along): its matched route is not one of ours.
    onRequest: (event) => {
      event.context.matchedRoute = undefined
      event.context.params = undefined
    },
    onError: (error, event) => renderError(error, logger, event.res.headers),
  })

  app.use(compressResponses)
  app.use((event, next) => {
    const meta = event.context.matchedRoute?.meta as MonlightRouteMeta | undefined
    const state: RequestState = {
      bodyLimit: meta?.bodyLimit ?? options.bodyLimit,
      maxQueryLength: options.maxQueryLength,
    }
    setRequestState(event, state)
    if (meta?.public !== true) {
      if (verifyKey) {
        // An unknown path is a 404 for everyone: a client posting to the wrong URL learns that, not that its key
        // is bad. (Without auth, later middleware may still answer it: the single-port app's root paths.)
        if (!event.context.matchedRoute) throw new MonlightError('NOT_FOUND', 'Not found')
        const key = readApiKey(event)
        const index = key === undefined ? -1 : verifyKey(key)
        if (index === -1) {
          // `detail` is upstream's for both cases; the hint tells them apart and says what to do.
          throw new MonlightError('UNAUTHORIZED', 'Invalid API key', {
            body: {
              hint:
                key === undefined
                  ? 'no key was sent: send it as X-API-Key, Authorization: Bearer <key>, basic auth (the key as password) or ?api_key='
                  : "the key sent is not one of this server's API keys",
            },
          })
        }
        state.apiKeyIndex = index
      }
      limits?.enforce(event, state, options.trustProxy)
    }
    // Refuse an oversized body before routing, as upstream, even on routes that never read it.
    checkDeclaredLength(event, state.bodyLimit)
    return next()
  })

  // Browsers ask every origin for one: no icon, and no 401 in the console of a UI on its own port.
  app.get('/favicon.ico', () => new Response(null, { status: 204 }), routeMeta({ public: true }))
  // Any method, as upstream (contract §1.9): a load balancer may probe with HEAD, POST or OPTIONS.
  app.all(
    '/health',
    async () => ({ status: 'ok', ...(options.health ? await options.health() : undefined) }),
    routeMeta({ public: true }),
  )
  return app
}

function createLimits(config: {
  perKey?: number
  perAddress?: number
  windowMs: number
  maxBuckets: number
}) {
  const make = (limit: number | undefined): RateLimiter | undefined =>
    limit ? createRateLimiter({ limit, windowMs: config.windowMs, maxBuckets: config.maxBuckets }) : undefined
  const byKey = make(config.perKey)
  const byAddress = make(config.perAddress)

  return {
    enforce(event: H3Event, state: RequestState, trustProxy: boolean) {
      const checks: [RateLimiter, string][] = []
      if (byKey && state.apiKeyIndex !== undefined) checks.push([byKey, `key:${state.apiKeyIndex}`])
      if (byAddress) checks.push([byAddress, getRequestIP(event, { xForwardedFor: trustProxy }) ?? 'unknown'])
      // Check every limit before recording in any, so a request refused by one is not counted by another.
      for (const [limiter, bucket] of checks) {
        const decision = limiter.check(bucket)
        if (!decision.allowed) {
          throw new MonlightError('RATE_LIMITED', 'Rate limit exceeded', {
            body: { retry_after: decision.retryAfterSeconds },
            headers: { 'retry-after': String(decision.retryAfterSeconds) },
          })
        }
      }
      for (const [limiter, bucket] of checks) limiter.record(bucket)
    },
  }
}
