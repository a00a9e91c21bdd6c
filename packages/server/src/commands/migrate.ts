import { resolve } from 'node:path'
import { generateApiKey } from '../api-key.js'
import type { ServerConfig } from '../config.js'
import { redactUrl } from '../config.js'
import { MODULES } from '../modules.js'
import { openStack } from '../stack.js'
import type { CommandIO } from './io.js'

/** `monlight migrate`: apply every module's pending migrations and say what was applied. */
export async function runMigrate(config: ServerConfig, io: CommandIO): Promise<void> {
  // Modules are built with their routers, which want a key; migrating needs none, so a throwaway key avoids
  // creating the key file as a side effect.
  const apiKeys = config.apiKeys.length > 0 ? config.apiKeys : [generateApiKey()]
  const stack = await openStack(config, MODULES, apiKeys, io.logger, io.env)
  try {
    const results = await stack.migrate()
    const where = config.databaseUrl
      ? `the shared database ${redactUrl(config.databaseUrl)}`
      : `SQLite databases in ${resolve(io.cwd, config.dataDir)}`
    const width = Math.max(...MODULES.map((slot) => slot.name.length)) + 2
    const lines = MODULES.map(({ name }) => {
      const applied = results[name]?.applied ?? []
      return `  ${name.padEnd(width)}${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`
    })
    io.out(`Migrated ${where}\n${lines.join('\n')}\n`)
  } finally {
    await stack.close()
  }
}
