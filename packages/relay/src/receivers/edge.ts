import {
  createApiKeyVerifier,
  createRateLimiter,
  MonlightError,
  matchOrigin,
  type RateDecision,
  type RateLimiter,
  readApiKey,
} from '@monlight/core'
import type { H3Event } from 'h3'
import type { DsnKey, RelayService } from '../service/service.js'

/**
 * Who sent a receiver's request. With a project (DSN) key, its project; with an API key (or on a relay whose host
 * authenticates), no project: the receiver takes one from the data (OTLP `service.name`, a Loki `job` label...).
 */
export interface Sender {
  key?: DsnKey
  project?: string
}

/**
 * What every third-party receiver of the relay does around its protocol's own work: the per-key origin rule and
 * the per-key rate limit. Receivers share one edge.
 */
export interface Edge {
  /**
   * A key with allowed origins (its own or the relay's global list) refuses other origins with a 403, as Sentry's
   * "allowed domains" do; a key with none takes any origin. Requests without `Origin` (server SDKs) pass.
   */
  checkOrigin(event: H3Event, key: DsnKey): void
  /** One request against the key's rate limit (its own, else `fallback`); `undefined` when it has none. */
  take(key: DsnKey, fallback: number | false): RateDecision | undefined
  /**
   * Authenticates a receiver's request (OTLP, Loki, Prometheus) by the key in the forms those clients send:
   * `Authorization: Bearer <key>`, basic auth (the key as password), `X-API-Key`, `?api_key=`, and a project key
   * also as `X-Sentry-Auth`/`?sentry_key=`. An API key or a project key: a 401 / 403 that says which otherwise,
   * a 429 with `Retry-After` when the project key is over its rate limit.
   */
  admit(event: H3Event): Promise<Sender>
}

export interface EdgeOptions {
  corsOrigins: readonly string[]
  /** The relay's API keys; `false` when its host authenticates (then any request is admitted). */
  apiKeys: readonly string[] | false
  service: Pick<RelayService, 'authenticate' | 'refusal'>
  /** Requests per minute of a browser (a request with `Origin`) per key without its own limit. */
  rateLimit: number | false
}

export function createEdge(options: EdgeOptions): Edge {
  const limiters = new Map<number, RateLimiter>()
  const verifyApiKey = options.apiKeys ? createApiKeyVerifier(options.apiKeys) : undefined

  const edge: Edge = {
    checkOrigin(event, key) {
      const origin = event.req.headers.get('origin')
      if (!origin) return
      const allowed = [...options.corsOrigins, ...key.allowed_origins]
      if (allowed.length === 0 || allowed.some((pattern) => matchOrigin(pattern, origin))) return
      event.res.headers.delete('access-control-allow-origin')
      event.res.headers.delete('access-control-expose-headers')
      throw new MonlightError(
        'FORBIDDEN',
        `Origin ${origin.slice(0, 256)} is not allowed for this DSN key: add it to the key's allowed origins or to CORS_ORIGINS`,
      )
    },

    take(key, fallback) {
      const limit = key.rate_limit ?? fallback
      if (!limit) return undefined
      let limiter = limiters.get(limit)
      if (!limiter) {
        limiter = createRateLimiter({ limit })
        limiters.set(limit, limiter)
      }
      return limiter.take(key.public_key)
    },

    async admit(event) {
      const given = readApiKey(event) ?? sentryKey(event)
      if (given !== undefined && verifyApiKey && verifyApiKey(given) !== -1) return {}
      const key = await options.service.authenticate(given)
      if (!key) {
        if (!verifyApiKey) return {}
        if (given === undefined) {
          throw new MonlightError(
            'UNAUTHORIZED',
            'No key: send an API key or a project (DSN) key as Authorization: Bearer <key>, basic auth (the key as password) or X-API-Key',
          )
        }
        const refusal = await options.service.refusal(given)
        throw refusal.status === 403
          ? refusal
          : new MonlightError(
              'UNAUTHORIZED',
              'Invalid key: it is neither an API key nor an active project (DSN) key',
            )
      }
      edge.checkOrigin(event, key)
      const decision = edge.take(key, event.req.headers.has('origin') ? options.rateLimit : false)
      if (decision && !decision.allowed) {
        throw new MonlightError('RATE_LIMITED', `Rate limit exceeded for project key ${key.public_key}`, {
          body: { retry_after: decision.retryAfterSeconds },
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
        })
      }
      return { key, project: key.project }
    },
  }
  return edge
}

/** A project key as Sentry clients send it: `X-Sentry-Auth: Sentry sentry_key=…` or `?sentry_key=`. */
function sentryKey(event: H3Event): string | undefined {
  const header = /(?:^|[\s,])sentry_key=([^,\s]+)/.exec(event.req.headers.get('x-sentry-auth') ?? '')
  if (header) return header[1]
  return event.url.search.includes('sentry_key=')
    ? new URLSearchParams(event.url.search).get('sentry_key') || undefined
    : undefined
}
