/** Stored levels, lowest first. `>=LEVEL` filters select a level and everything after it. */
export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const
export type Level = (typeof LEVELS)[number]

const ALIASES: Record<string, Level> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARNING',
  WARNING: 'WARNING',
  ERR: 'ERROR',
  ERROR: 'ERROR',
  CRIT: 'CRITICAL',
  CRITICAL: 'CRITICAL',
  FATAL: 'CRITICAL',
}

/** A level word (case-insensitive, with upstream's aliases WARN, ERR, CRIT, FATAL), or undefined. */
export function parseLevel(word: string): Level | undefined {
  if (word.length < 3 || word.length > 8) return undefined
  return ALIASES[word.toUpperCase()]
}

/**
 * The levels a `level` query value selects: `ERROR` (exact) or `>=WARNING` (that level and above). Undefined
 * when the word is not a level.
 */
export function parseLevelFilter(value: string): Level[] | undefined {
  const trimmed = value.trim()
  const atLeast = trimmed.startsWith('>=')
  const level = parseLevel(atLeast ? trimmed.slice(2).trim() : trimmed)
  if (!level) return undefined
  return atLeast ? LEVELS.slice(LEVELS.indexOf(level)) : [level]
}

const BRACKET = /\[([^\][]{3,8})\]/g
const KEY_VALUE = /\blevel=([^\s,\t"]+)/i

/**
 * Upstream's level rules (contract §3.4) on a decoded message, first match wins: a JSON object's `level` or
 * `severity`, a `[LEVEL]` bracket, `level=LEVEL`, a `LEVEL:` prefix; otherwise stderr → ERROR, stdout → INFO.
 */
export function detectLevel(message: string, stream: string): Level {
  const trimmed = message.trimStart()
  if (trimmed.startsWith('{')) {
    const level = jsonLevel(trimmed)
    if (level) return level
  }
  for (const match of trimmed.matchAll(BRACKET)) {
    const level = parseLevel(match[1]!.trim())
    if (level) return level
  }
  const keyValue = KEY_VALUE.exec(message)
  if (keyValue) {
    const level = parseLevel(keyValue[1]!)
    if (level) return level
  }
  const colon = trimmed.indexOf(':')
  if (colon >= 3 && colon <= 8) {
    const level = parseLevel(trimmed.slice(0, colon))
    if (level) return level
  }
  return stream === 'stderr' ? 'ERROR' : 'INFO'
}

function jsonLevel(text: string): Level | undefined {
  // Only the first line: a multiline entry may start with a JSON line followed by a traceback.
  const line = text.split('\n', 1)[0]!
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null
    ? fieldsLevel(value as Record<string, unknown>)
    : undefined
}

/** The level a structured record names in `level`, `severity`, `levelname` or `lvl` (words or pino numbers). */
export function fieldsLevel(record: Record<string, unknown>): Level | undefined {
  for (const key of ['level', 'severity', 'levelname', 'lvl']) {
    const field = record[key]
    if (typeof field === 'string') return parseLevel(field)
    if (typeof field === 'number') return pinoLevel(field)
  }
  return undefined
}

/** pino/bunyan numeric levels: 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function pinoLevel(value: number): Level | undefined {
  if (value >= 60) return 'CRITICAL'
  if (value >= 50) return 'ERROR'
  if (value >= 40) return 'WARNING'
  if (value >= 30) return 'INFO'
  if (value >= 10) return 'DEBUG'
  return undefined
}
