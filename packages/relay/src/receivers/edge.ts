import {
  createRateLimiter,
  MonlightError,
  matchOrigin,
  type RateDecision,
  type RateLimiter,
} from '@monlight/core'
import type { H3Event } from 'h3'
import type { DsnKey } from '../service/service.js'

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
}

export function createEdge(options: { corsOrigins: readonly string[] }): Edge {
  const limiters = new Map<number, RateLimiter>()
  return {
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
  }
}
