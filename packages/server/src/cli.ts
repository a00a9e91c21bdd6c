#!/usr/bin/env node
import { createLogger, MonlightConfigError } from '@monlight/core'
import { parseArgv, UsageError } from './argv.js'
import { runBackup } from './commands/backup.js'
import type { CommandIO } from './commands/io.js'
import { runMigrate } from './commands/migrate.js'
import { runStart } from './commands/start.js'
import { loadConfig } from './config.js'
import { withConfigFile } from './config-file.js'
import { usage } from './help.js'
import { type ConfigFlags, OPTIONS } from './options.js'
import { packageVersion } from './version.js'

const COMMANDS: Record<string, number> = { start: 0, migrate: 0, backup: 1 }

/** Runs `monlight`; returns the exit code, or undefined while the server keeps running. */
async function main(argv: readonly string[]): Promise<number | undefined> {
  const args = parseArgv(argv, {
    values: OPTIONS.map((option) => option.flag),
    switches: ['--help', '--version'],
    aliases: { '-h': '--help' },
  })
  if (args.switches.has('--help')) {
    process.stdout.write(usage(packageVersion()))
    return 0
  }
  if (args.switches.has('--version')) {
    process.stdout.write(`${packageVersion()}\n`)
    return 0
  }

  const [command = 'start', ...rest] = args.positionals
  const arity = COMMANDS[command]
  if (arity === undefined) throw new UsageError(`Unknown command '${command}'`)
  if (command === 'backup' && rest.length === 0) {
    throw new UsageError('backup needs a folder: monlight backup <dir>')
  }
  if (rest.length > arity) throw new UsageError(`Unexpected argument '${rest[arity]}' after '${command}'`)

  const flags: ConfigFlags = {}
  for (const option of OPTIONS) {
    const value = args.values[option.flag]
    if (value !== undefined) flags[option.key] = value
  }
  const env = withConfigFile(process.env, flags.config)
  const { config, warnings } = loadConfig({ flags, env })
  const logger = createLogger({ level: config.logLevel, name: 'monlight' })
  for (const warning of warnings) logger.warn(warning)
  const io: CommandIO = { out: (text) => process.stdout.write(text), logger, cwd: process.cwd(), env }

  if (command === 'start') {
    await runStart(config, io)
    return undefined
  }
  if (command === 'migrate') await runMigrate(config, io)
  else await runBackup(config, rest[0]!, io)
  return 0
}

try {
  const code = await main(process.argv.slice(2))
  if (code !== undefined) process.exitCode = code
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`monlight: ${error.message}\nRun 'monlight --help' for usage.\n`)
    process.exitCode = 2
  } else if (MonlightConfigError.is(error)) {
    process.stderr.write(`monlight: ${error.message}\n`)
    process.exitCode = 1
  } else {
    process.stderr.write(`monlight: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`)
    process.exitCode = 1
  }
}
