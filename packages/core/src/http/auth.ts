import { timingSafeEqual } from 'node:crypto'
import type { H3Event } from 'h3'

/**
 * Checks API keys in constant time: every configured key is compared, each with `timingSafeEqual`, so the
 * position of the first differing byte never shows in the timing (only whether a key of that length exists,
 * as with upstream's check). Returns the index of the matching key, or -1.
 */
export function createApiKeyVerifier(apiKeys: readonly string[]): (candidate: string) => number {
  const keys = apiKeys.map((key) => Buffer.from(key))
  return (candidate) => {
    const given = Buffer.from(candidate)
    let match = -1
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      if (key.length === given.length && timingSafeEqual(given, key) && match === -1) match = i
    }
    return match
  }
}

/**
 * The key a request presents: the `X-API-Key` header, else `Authorization: Bearer <key>` (how Sentry's tools, OTLP
 * exporters and other third-party clients send a token), else basic auth with the key as the password (or as the
 * user name when there is no password: Loki and Prometheus clients offer only basic auth), else the `api_key` query
 * parameter (for EventSource, which cannot set headers). A present header wins even when wrong, as upstream.
 */
export function readApiKey(event: H3Event): string | undefined {
  const header = event.req.headers.get('x-api-key')
  if (header !== null) return header
  const authorization = event.req.headers.get('authorization') ?? ''
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  if (bearer) return bearer[1]
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)
  if (basic) return basicAuthKey(basic[1]!)
  const search = event.url.search
  if (!search.includes('api_key=')) return undefined
  return new URLSearchParams(search).get('api_key') || undefined
}

/** `user:password` → the password, or the user when the password is empty. */
function basicAuthKey(encoded: string): string | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) return decoded || undefined
  return decoded.slice(colon + 1) || decoded.slice(0, colon) || undefined
}
