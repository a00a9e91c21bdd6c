/** Headers never sent to the error tracker, as the upstream Python client. */
export const DEFAULT_EXCLUDED_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key'] as const
/** Body, query and `extra` keys whose values are replaced; a key matches when it contains one of these. */
export const DEFAULT_SCRUB_KEYS = ['password', 'token', 'secret'] as const
export const FILTERED = '[Filtered]'

export type HeaderInput = Record<string, string | string[] | number | undefined> | Headers

/** Copies headers without the excluded names (case-insensitive); repeated headers are joined with `, `. */
export function scrubHeaders(headers: HeaderInput, excluded: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {}
  const entries: Iterable<[string, unknown]> =
    headers instanceof Headers ? headers.entries() : Object.entries(headers)
  for (const [name, value] of entries) {
    const lower = name.toLowerCase()
    if (value === undefined || excluded.has(lower)) continue
    out[lower] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/** A deep copy of `value` with the values of sensitive keys replaced by `[Filtered]`. */
export function scrubValues(value: unknown, keys: readonly string[], depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => scrubValues(item, keys, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitive(key, keys) ? FILTERED : scrubValues(item, keys, depth + 1)
  }
  return out
}

/** The URL with the values of sensitive query parameters replaced. */
export function scrubUrl(url: string, keys: readonly string[]): string {
  const query = url.indexOf('?')
  if (query === -1) return url
  const hash = url.indexOf('#', query)
  const end = hash === -1 ? url.length : hash
  const params = url
    .slice(query + 1, end)
    .split('&')
    .map((pair) => {
      const name = decodeSafe(pair.split('=', 1)[0] ?? '')
      return isSensitive(name, keys) ? `${pair.split('=', 1)[0]}=${encodeURIComponent(FILTERED)}` : pair
    })
  return `${url.slice(0, query + 1)}${params.join('&')}${url.slice(end)}`
}

function isSensitive(key: string, keys: readonly string[]): boolean {
  const lower = key.toLowerCase()
  return keys.some((sensitive) => lower.includes(sensitive))
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
