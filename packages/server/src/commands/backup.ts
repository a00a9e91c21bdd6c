import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { MonlightConfigError } from '@monlight/core'
import type { ServerConfig } from '../config.js'
import { redactUrl } from '../config.js'
import { openDatabase, sqlitePath } from '../databases.js'
import { MODULES } from '../modules.js'
import type { CommandIO } from './io.js'

/**
 * `monlight backup <dir>`: an online backup (SQLite's backup API) of each module database that exists, into
 * `<dir>/<file>`, each checked with `pragma integrity_check`. Safe while the server runs.
 */
export async function runBackup(config: ServerConfig, target: string, io: CommandIO): Promise<void> {
  if (config.databaseUrl) {
    throw new MonlightConfigError(
      `monlight backup copies SQLite files; this server uses ${redactUrl(config.databaseUrl)}. ` +
        "Back up PostgreSQL with pg_dump, e.g. pg_dump --format=custom --file=monlight.dump '<database url>'",
    )
  }
  const dir = resolve(target)
  if (dir === resolve(config.dataDir)) {
    throw new MonlightConfigError(
      `The backup folder must not be the data dir (${dir}): choose another folder`,
    )
  }
  const sources = MODULES.map((slot) => ({ slot, source: sqlitePath(config.dataDir, slot) })).filter(
    ({ source }) => existsSync(source),
  )
  if (sources.length === 0) {
    throw new MonlightConfigError(
      `No database to back up in ${resolve(config.dataDir)}: start the server once, or point --data-dir (MONLIGHT_DATA_DIR) at its data`,
    )
  }

  mkdirSync(dir, { recursive: true })
  const rows: [string, string, string][] = []
  for (const { slot, source } of sources) {
    const destination = join(dir, slot.file)
    await copy(source, destination)
    rows.push([slot.name, destination, formatSize(statSync(destination).size)])
  }
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)) + 2)
  const lines = rows.map(
    ([name, path, size]) => `  ${name.padEnd(widths[0]!)}${path.padEnd(widths[1]!)}${size}`,
  )
  io.out(`Backed up ${sources.length} of ${MODULES.length} module databases\n${lines.join('\n')}\n`)
}

async function copy(source: string, destination: string): Promise<void> {
  const database = await openDatabase({ sqlite: source })
  try {
    await database.sqlite!.backup(destination)
  } finally {
    await database.destroy()
  }
  const copied = await openDatabase({ sqlite: destination })
  try {
    const check = copied.sqlite!.pragma('integrity_check', { simple: true })
    if (check !== 'ok') {
      throw new Error(`The backup ${destination} failed its integrity check: ${String(check)}`)
    }
  } finally {
    await copied.destroy()
  }
}

/** `1536` → `1.5 KiB`. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`
}
