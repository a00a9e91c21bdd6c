import { LOG_LEVELS, MonlightConfigError, parseLogLevel, resolveOptions } from '@monlight/core'
import * as z from 'zod'
import { MODULES } from './modules.js'
import { type ConfigFlags, OPTIONS, type OptionKey } from './options.js'

/** A TCP port; 0 asks the OS for a free one. */
const portSchema = z.int().min(0).max(65535)

/** Printable ASCII without spaces or commas: it travels in a header and the env form is comma-separated. */
export const apiKeySchema = z
  .string()
  .regex(/^[\x21-\x2b\x2d-\x7e]+$/, 'an API key must be printable ASCII without spaces or commas')

const SHARED_DATABASE = /^(postgres(ql)?:\/\/|pglite:)/i

/** The standalone server's settings, as {@link startServer} takes them. */
export const serverConfigSchema = z.strictObject({
  /** Folder for the per-module SQLite files and the generated API key. Default `./data`. */
  dataDir: z.string().min(1).default('./data'),
  /** `postgres://…` (or `pglite:[folder]`): every module shares that database. Unset: SQLite files in `dataDir`. */
  databaseUrl: z
    .string()
    .regex(SHARED_DATABASE, 'databaseUrl must be a postgres:// or pglite: URL')
    .optional(),
  /** Address to listen on. Default `0.0.0.0`. */
  host: z.string().min(1).default('0.0.0.0'),
  /** Set: one server on this port, modules mounted under `/<name>`. Unset: one port per module. */
  port: portSchema.optional(),
  /** Port per module name in the port-per-module layout; a module left out uses its default (5010–5013). */
  ports: z.record(z.string(), portSchema).default({}),
  /** API keys; empty: the key in `<dataDir>/api-key`, generated on first start. */
  apiKeys: z.array(apiKeySchema).default([]),
  /** Where `apiKeys` came from (e.g. `MONLIGHT_API_KEY`), for the start banner. */
  apiKeysFrom: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
})

export type ServerConfig = z.output<typeof serverConfigSchema>
export type ServerConfigInput = z.input<typeof serverConfigSchema>

/** Validates and fills in defaults for a programmatic config; throws a {@link MonlightConfigError}. */
export function resolveServerConfig(input: ServerConfigInput = {}): ServerConfig {
  return resolveOptions('@monlight/server', serverConfigSchema, input)
}

/** Environment variables, usually `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>

export interface LoadConfigInput {
  /** Values from the command line; they win over the environment. */
  flags?: ConfigFlags
  env?: Env
}

export interface LoadedConfig {
  config: ServerConfig
  /** Things worth a log line, e.g. an unknown `MONLIGHT_*` variable. */
  warnings: string[]
}

/**
 * Builds the server config from flags and environment variables (flags win). Every error names the flag or
 * variable at fault and what it accepts.
 *
 * @example
 * const { config } = loadConfig({ flags: { port: '8080' }, env: process.env })
 */
export function loadConfig({ flags = {}, env = {} }: LoadConfigInput): LoadedConfig {
  const pick = (key: OptionKey) => pickValue(key, flags, env)
  const input: ServerConfigInput = {}

  const dataDir = pick('dataDir')
  if (dataDir) input.dataDir = dataDir.value

  const databaseUrl = pick('databaseUrl')
  if (databaseUrl) {
    if (!SHARED_DATABASE.test(databaseUrl.value)) {
      throw invalid(
        databaseUrl,
        'a postgres:// URL (e.g. postgres://user:password@localhost:5432/monlight); leave it unset to keep one SQLite file per module in the data dir',
        redactUrl(databaseUrl.value),
      )
    }
    input.databaseUrl = databaseUrl.value
  }

  const host = pick('host')
  if (host) input.host = host.value

  const port = pick('port')
  const ports = pick('ports')
  if (port && ports && port.fromFlag === ports.fromFlag) {
    throw new MonlightConfigError(
      `${port.source} and ${ports.source} are both set: use ${port.source} for one port serving every module, ` +
        `or ${ports.source} for one port per module`,
    )
  }
  // A flag beats the environment even across the two layouts.
  if (port && (!ports || port.fromFlag)) input.port = parsePort(port)
  else if (ports) input.ports = parsePorts(ports)

  const apiKey = pick('apiKey')
  if (apiKey) {
    input.apiKeys = parseApiKeys(apiKey)
    input.apiKeysFrom = apiKey.source
  }

  const logLevel = pick('logLevel')
  if (logLevel) {
    const level = parseLogLevel(logLevel.value)
    if (!level) throw invalid(logLevel, `one of ${LOG_LEVELS.join(', ')}`)
    input.logLevel = level
  }

  return { config: resolveServerConfig(input), warnings: unknownVariables(env) }
}

interface Picked {
  value: string
  /** The flag or variable the value came from, for messages. */
  source: string
  fromFlag: boolean
}

function pickValue(key: OptionKey, flags: ConfigFlags, env: Env): Picked | undefined {
  const option = OPTIONS.find((entry) => entry.key === key)!
  const flag = flags[key]
  if (flag !== undefined) return { value: flag.trim(), source: option.flag, fromFlag: true }
  for (const name of option.env) {
    // Compose files often pass `VAR=` for "unset", so an empty value counts as absent.
    const value = env[name]?.trim()
    if (value) return { value, source: name, fromFlag: false }
  }
  return undefined
}

function parsePort(picked: Picked): number {
  return parseInteger(picked.value) ?? throwInvalid(picked, 'an integer between 0 and 65535')
}

function parsePorts(picked: Picked): Record<string, number> {
  const names = MODULES.map((slot) => slot.name)
  const rule =
    `${names.length} comma-separated ports, for ${names.join(', ')} in that order ` +
    `(e.g. ${MODULES.map((slot) => slot.defaultPort).join(',')}; 0 picks a free port)`
  const parts = picked.value.split(',').map((part) => part.trim())
  if (parts.length !== names.length) throw invalid(picked, rule)
  const numbers = parts.map((part) => parseInteger(part) ?? throwInvalid(picked, rule))
  const taken = new Set<number>()
  for (const number of numbers) {
    if (number !== 0 && taken.has(number)) {
      throw new MonlightConfigError(
        `${picked.source} lists port ${number} twice: each module needs its own port`,
      )
    }
    taken.add(number)
  }
  return Object.fromEntries(names.map((name, index) => [name, numbers[index]!]))
}

function parseApiKeys(picked: Picked): string[] {
  const keys = picked.value
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '')
  if (keys.length === 0) throw invalid(picked, 'one or more API keys, comma-separated')
  for (const key of keys) {
    if (!apiKeySchema.safeParse(key).success) {
      // Never echo a secret: say which key by position only.
      throw new MonlightConfigError(
        `${picked.source}: key ${keys.indexOf(key) + 1} is not valid: an API key must be printable ASCII without spaces or commas`,
      )
    }
  }
  return keys
}

function parseInteger(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const result = portSchema.safeParse(Number(text))
  return result.success ? result.data : undefined
}

function invalid(picked: Picked, rule: string, shown = picked.value): MonlightConfigError {
  return new MonlightConfigError(`${picked.source} must be ${rule} (got '${shown}')`)
}

function throwInvalid(picked: Picked, rule: string): never {
  throw invalid(picked, rule)
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, so errors never print a password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@')
}

function unknownVariables(env: Env): string[] {
  const known = OPTIONS.flatMap((option) => option.env).filter((name) => name.startsWith('MONLIGHT_'))
  return Object.keys(env)
    .filter((name) => name.startsWith('MONLIGHT_') && !(known as string[]).includes(name))
    .map((name) => `Unknown environment variable ${name} is ignored (known: ${known.join(', ')})`)
}
