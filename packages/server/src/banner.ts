import type { MonlightServer } from './server.js'

/**
 * What `monlight` prints once listening:
 *
 * ```
 * Monlight 0.0.0 ready in 85 ms
 *   errors   http://localhost:5010/
 *   …
 * API key: ml_…  (generated and saved to data/api-key)
 * ```
 */
export function formatBanner(
  server: Pick<MonlightServer, 'urls' | 'indexUrl' | 'apiKeys' | 'config'>,
  info: { version: string; readyMs: number },
): string {
  const at = server.indexUrl ? ` at ${server.indexUrl}` : ''
  const lines = [`Monlight ${info.version} ready in ${Math.round(info.readyMs)} ms${at}`]
  const width = Math.max(...Object.keys(server.urls).map((name) => name.length)) + 2
  for (const [name, url] of Object.entries(server.urls)) lines.push(`  ${name.padEnd(width)}${url}`)
  lines.push(apiKeyLine(server))
  return `${lines.join('\n')}\n`
}

function apiKeyLine(server: Pick<MonlightServer, 'apiKeys' | 'config'>): string {
  const { keys, origin, file } = server.apiKeys
  // A configured key is the operator's own secret: say where it came from rather than echo it into logs.
  if (origin === 'configured') {
    const count = keys.length === 1 ? '' : ` (${keys.length} keys)`
    return `API key: from ${server.config.apiKeysFrom ?? 'the configuration'}${count}`
  }
  // Absolute: the same line means the same file whichever folder the reader is in.
  const shown = file ?? 'the data dir'
  // Printed whole once, when generated; later starts name the file rather than copy the secret into every log.
  return origin === 'generated'
    ? `API key: ${keys[0]}  (generated and saved to ${shown})`
    : `API key: ${keys[0]!.slice(0, 7)}… (saved in ${shown})`
}
