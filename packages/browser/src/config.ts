import type { MonlightConfig, ResolvedConfig } from './types.js'

/**
 * Reads `dsn` as a plain key (upstream) or as `https://<key>@host/<relay path>`, which also gives the endpoint.
 * An explicit `endpoint` wins. A relative endpoint is resolved against `base` (the page) so the relay's own
 * requests can be recognised whatever form the page uses.
 */
export function resolveConfig(config: MonlightConfig, base: string): ResolvedConfig {
  const need = (value: unknown, name: string) => {
    if (!value) throw Error(`[Monlight] '${name}' is required`)
  }
  let key = config.dsn
  let endpoint = config.endpoint
  need(key, 'dsn')
  if (key.includes('://')) {
    const url = new URL(key)
    // DSN keys are hex (or URL-safe seeded strings): the user part needs no decoding.
    key = url.username
    url.username = ''
    endpoint ||= url.href
  }
  need(endpoint, 'endpoint')
  return { ...config, key, endpoint: new URL(endpoint!, base).href.replace(/\/+$/, '') }
}
