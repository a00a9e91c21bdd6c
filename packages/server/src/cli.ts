#!/usr/bin/env node
import { createLogger, MonlightConfigError } from '@monlight/core'
import { parseArgv, UsageError } from './argv.js'
import { runBackup } from './commands/backup.js'
import { runImport } from './commands/import.js'
import type { CommandIO } from './commands/io.js'
import { runKeysCreate, runKeysList } from './commands/keys.js'
import { runMigrate } from './commands/migrate.js'
import { runSourceMapsUpload } from './commands/sourcemaps.js'
import { runStart } from './commands/start.js'
import { loadConfig } from './config.js'
import { trackReads, unknownFileVariables, withConfigFile } from './config-file.js'
import { SYNOPSIS, usage } from './help.js'
import { type ConfigFlags, OPTIONS } from './options.js'
import { packageVersion } from './version.js'

/** Commands and how many arguments each takes. */
const COMMANDS: Record<string, number> = {
  start: 0,
  migrate: 0,
  backup: 1,
  import: 0,
  keys: 2,
  sourcemaps: 2,
}
/** Flags of one command only. */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  import: ['--from'],
  keys: ['--origins'],
  sourcemaps: ['--release', '--project', '--url-prefix', '--url'],
}

/** Runs `monlight`; returns the exit code, or undefined while the server keeps running. */
async function main(argv: readonly string[]): Promise<number | undefined> {
  const args = parseArgv(argv, {
    values: [...OPTIONS.map((option) => option.flag), ...Object.values(COMMAND_FLAGS).flat()],
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
  const arity = command === 'keys' && rest[0] === 'list' ? 1 : COMMANDS[command]
  if (arity === undefined) throw new UsageError(`Unknown command '${command}'`)
  if (rest.length < arity) throw new UsageError(`${command} needs: monlight ${SYNOPSIS[command]}`)
  if (rest.length > arity) throw new UsageError(`Unexpected argument '${rest[arity]}' after '${command}'`)
  if (command === 'keys' && rest[0] !== 'create' && rest[0] !== 'list')
    throw new UsageError(`Unknown keys command '${rest[0]}': monlight ${SYNOPSIS.keys}`)
  if (command === 'sourcemaps' && rest[0] !== 'upload') {
    throw new UsageError(`Unknown sourcemaps command '${rest[0]}': monlight ${SYNOPSIS.sourcemaps}`)
  }
  for (const [owner, names] of Object.entries(COMMAND_FLAGS)) {
    const misplaced = names.find((name) => owner !== command && args.values[name] !== undefined)
    if (misplaced) throw new UsageError(`Option ${misplaced} belongs to 'monlight ${SYNOPSIS[owner]}'`)
  }

  const flags: ConfigFlags = {}
  for (const option of OPTIONS) {
    const value = args.values[option.flag]
    if (value !== undefined) flags[option.key] = value
  }
  const { env: merged, fileVariables } = withConfigFile(process.env, flags.config)
  const { env, read } = trackReads(merged)
  const { config, warnings } = loadConfig({ flags, env })
  const logger = createLogger({ level: config.logLevel, name: 'monlight' })
  for (const warning of warnings) logger.warn(warning)
  const io: CommandIO = { out: (text) => process.stdout.write(text), logger, cwd: process.cwd(), env }

  if (command === 'start') {
    await runStart(config, io)
    // Every module has read its settings by now.
    for (const warning of unknownFileVariables(fileVariables, read)) logger.warn(warning)
    return undefined
  }
  if (command === 'migrate') await runMigrate(config, io)
  else if (command === 'backup') await runBackup(config, rest[0]!, io)
  else if (command === 'import') {
    const from = args.values['--from']
    if (!from)
      throw new UsageError(`import needs the folder of the original databases: monlight ${SYNOPSIS.import}`)
    await runImport(config, from, io)
  } else if (command === 'keys' && rest[0] === 'list') await runKeysList(config, io)
  else if (command === 'keys') await runKeysCreate(config, rest[1]!, args.values['--origins'], io)
  else {
    await runSourceMapsUpload(
      config,
      {
        dir: rest[1]!,
        release: args.values['--release'],
        project: args.values['--project'],
        urlPrefix: args.values['--url-prefix'],
        url: args.values['--url'],
      },
      io,
    )
  }
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
