/**
 * A small levelled logger. Libraries take a {@link Logger}; only the server decides where lines go.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export type LogFields = Record<string, unknown>

export interface Logger {
  readonly level: LogLevel
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger whose lines carry `name` as their source. */
  child(name: string): Logger
}

export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel
  /** Source shown on each line, e.g. `errors`. */
  name?: string
  /** `text` for people, `json` for log shippers. Default `text`. */
  format?: 'text' | 'json'
  /** Where a finished line goes. Default: `process.stderr`. */
  write?: (line: string) => void
  /** Injected for tests. */
  now?: () => Date
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/** Reads a level the way upstream's `LOG_LEVEL` was documented (`err`, `warning` accepted); unknown → undefined. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'debug':
      return 'debug'
    case 'info':
      return 'info'
    case 'warn':
    case 'warning':
      return 'warn'
    case 'error':
    case 'err':
      return 'error'
    case 'silent':
    case 'none':
    case 'off':
      return 'silent'
    default:
      return undefined
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info'
  const format = options.format ?? 'text'
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const now = options.now ?? (() => new Date())
  const threshold = RANK[level]

  const log = (lineLevel: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (RANK[lineLevel] < threshold) return
    const time = now().toISOString()
    if (format === 'json') {
      write(
        JSON.stringify({ time, level: lineLevel, name: options.name, message, ...serializeFields(fields) }),
      )
      return
    }
    const source = options.name ? ` [${options.name}]` : ''
    write(`${time} ${lineLevel.toUpperCase().padEnd(5)}${source} ${message}${formatFields(fields)}`)
  }

  return {
    level,
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (name) => createLogger({ ...options, name: options.name ? `${options.name}:${name}` : name }),
  }
}

/** A logger that drops everything: the default inside libraries when the host passes none. */
export const silentLogger: Logger = createLogger({ level: 'silent' })

function serializeFields(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return undefined
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields))
    out[key] = value instanceof Error ? describeError(value) : value
  return out
}

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return ''
  let out = ''
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    const text =
      value instanceof Error
        ? describeError(value)
        : typeof value === 'string'
          ? value
          : JSON.stringify(value)
    out += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`
  }
  return out
}

function describeError(error: Error): string {
  const cause = error.cause instanceof Error ? ` (cause: ${describeError(error.cause)})` : ''
  return `${error.stack ?? `${error.name}: ${error.message}`}${cause}`
}
