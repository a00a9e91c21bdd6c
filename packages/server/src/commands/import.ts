import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { MonlightConfigError } from '@monlight/core'
import Database from 'better-sqlite3'
import { generateApiKey } from '../api-key.js'
import type { ServerConfig } from '../config.js'
import { MODULES } from '../modules.js'
import { openStack } from '../stack.js'
import { type CommandIO, quietLogger } from './io.js'

/** The original services' database files, by module (flat, or in a folder of the same name as deploy/ had). */
const UPSTREAM_FILES: Record<string, string> = {
  errors: 'errors.db',
  logs: 'logs.db',
  metrics: 'metrics.db',
  relay: 'browser-relay.db',
}

/**
 * `monlight import --from <dir>`: reads the original Monlight's SQLite files and copies their data into this
 * server's (empty) modules, keeping error ids, fingerprints, DSN keys and source maps. The originals are opened
 * read-only.
 */
export async function runImport(config: ServerConfig, from: string, io: CommandIO): Promise<void> {
  const dir = resolve(io.cwd, from)
  const found = MODULES.flatMap((slot) => {
    const file = UPSTREAM_FILES[slot.name]
    if (!file) return []
    const path = [join(dir, file), join(dir, file.replace(/\.db$/, ''), file)].find((candidate) =>
      existsSync(candidate),
    )
    return path ? [{ slot, path }] : []
  })
  if (found.length === 0) {
    throw new MonlightConfigError(
      `no original Monlight database in ${dir}: looked for ${Object.values(UPSTREAM_FILES).join(', ')} (or <name>/<name>.db)`,
    )
  }
  const stack = await openStack(config, MODULES, [generateApiKey()], quietLogger(io), io.env)
  const lines: string[] = []
  try {
    await stack.migrate()
    for (const { slot, path } of found) {
      const module = stack.modules.find((entry) => entry.slot.name === slot.name)!.module
      if (!module.importUpstream) {
        lines.push(`  ${slot.name.padEnd(9)}skipped: importing ${UPSTREAM_FILES[slot.name]} is not supported`)
        continue
      }
      const source = new Database(path, { readonly: true, fileMustExist: true })
      try {
        const counts = await module.importUpstream({
          all: (sql) => source.prepare(sql).all() as Record<string, unknown>[],
        })
        lines.push(
          `  ${slot.name.padEnd(9)}${Object.entries(counts)
            .map(([kind, n]) => `${n} ${kind}`)
            .join(', ')}  from ${path}`,
        )
      } finally {
        source.close()
      }
    }
  } finally {
    await stack.close()
  }
  io.out(`Imported from ${dir}\n${lines.join('\n')}\n`)
}
