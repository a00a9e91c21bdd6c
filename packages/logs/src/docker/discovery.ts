import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DiscoveredContainer {
  /** Container name without the leading `/`. */
  name: string
  /** `<sources>/<id>/<id>-json.log`. */
  logPath: string
}

/**
 * `CONTAINERS` as a predicate: exact names and globs (`*` any run of characters, `?` one); an empty list or
 * `*` selects every container (as upstream's docs promised).
 */
export function containerMatcher(patterns: readonly string[]): (name: string) => boolean {
  const cleaned = patterns.map((p) => p.trim()).filter((p) => p !== '')
  if (cleaned.length === 0 || cleaned.includes('*')) return () => true
  const regexes = cleaned.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('')}$`,
      ),
  )
  return (name) => regexes.some((regex) => regex.test(name))
}

/**
 * The containers under `sources` whose name (from `config.v2.json`) matches. Folders without a readable config
 * are skipped and listed in `unnamed` (Docker may not have written it yet).
 */
export function discoverContainers(
  sources: string,
  matches: (name: string) => boolean,
  unnamed: string[] = [],
): DiscoveredContainer[] {
  const found: DiscoveredContainer[] = []
  for (const dirent of readdirSync(sources, { withFileTypes: true })) {
    if (!dirent.isDirectory()) continue
    const id = dirent.name
    const name = readContainerName(join(sources, id, 'config.v2.json'))
    if (name === undefined) unnamed.push(id)
    else if (matches(name)) found.push({ name, logPath: join(sources, id, `${id}-json.log`) })
  }
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

function readContainerName(configPath: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { Name?: unknown }
    return typeof config.Name === 'string' && config.Name !== '' ? config.Name.replace(/^\//, '') : undefined
  } catch {
    return undefined
  }
}
