import type { H3Event } from 'h3'

/**
 * Origin rules as upstream's relay documented them: an exact origin, or a pattern with one `*` that stands for
 * a non-empty part containing no `/`, `:` or `@` (`https://*.example.com` matches `https://app.example.com`,
 * not `https://example.com` nor `https://evil.com/.example.com`).
 */
export function matchOrigin(pattern: string, origin: string): boolean {
  const star = pattern.indexOf('*')
  if (star === -1) return pattern === origin
  const prefix = pattern.slice(0, star)
  const suffix = pattern.slice(star + 1)
  if (origin.length <= prefix.length + suffix.length) return false
  if (!origin.startsWith(prefix) || !origin.endsWith(suffix)) return false
  const wild = origin.slice(prefix.length, origin.length - suffix.length)
  return !/[/:@]/.test(wild)
}

export interface CorsOptions {
  /** Allowed origins: exact strings or one-`*` patterns (see {@link matchOrigin}), or `'any'`. */
  origins: readonly string[] | 'any'
  /** Default `['POST', 'OPTIONS']`. */
  methods?: readonly string[]
  /** Default `['Content-Type']`. */
  allowHeaders?: readonly string[]
  /** Preflight cache lifetime in seconds. Default 86 400. */
  maxAge?: number
  /** Response headers scripts may read. Default `['Retry-After']`, so a client can honour a `429`. */
  exposeHeaders?: readonly string[]
}

/**
 * A CORS handler for a set of routes. `handle(event)` sets the headers for an allowed origin (kept on error
 * responses too) and answers a preflight with `204`; it returns `undefined` when the request should go on.
 */
export function createCors(options: CorsOptions): { handle(event: H3Event): Response | undefined } {
  const methods = (options.methods ?? ['POST', 'OPTIONS']).join(', ')
  const allowHeaders = (options.allowHeaders ?? ['Content-Type']).join(', ')
  const maxAge = String(options.maxAge ?? 86_400)
  const exposeHeaders = (options.exposeHeaders ?? ['Retry-After']).join(', ')
  return {
    handle(event) {
      const origin = event.req.headers.get('origin')
      // Responses differ by Origin, so caches must key on it whether or not this one is allowed.
      event.res.headers.append('vary', 'Origin')
      if (!origin) return undefined
      if (options.origins !== 'any' && !options.origins.some((pattern) => matchOrigin(pattern, origin)))
        return undefined
      event.res.headers.set('access-control-allow-origin', origin)
      const isPreflight =
        event.req.method === 'OPTIONS' && event.req.headers.has('access-control-request-method')
      if (!isPreflight) {
        if (exposeHeaders) event.res.headers.set('access-control-expose-headers', exposeHeaders)
        return undefined
      }
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': methods,
          'access-control-allow-headers': allowHeaders,
          'access-control-max-age': maxAge,
          vary: 'Origin',
        },
      })
    },
  }
}
