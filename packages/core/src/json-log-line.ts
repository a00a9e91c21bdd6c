import { nestsDeeperThan } from './json-depth.js'

/** Longer lines are kept as text: parsing them would cost more than the fields are worth. */
const MAX_LINE_CHARS = 64 * 1024
/** Where structured loggers put the human-readable text (pino `msg`, winston/bunyan/zap `message`, `msg`). */
const MESSAGE_FIELDS = ['msg', 'message'] as const

export interface JsonLogLine {
  /** The line's text field, or the line itself when it has none. */
  message: string
  /** Every other field of the object. */
  fields: Record<string, unknown>
}

/**
 * A log line that is one JSON object (pino, bunyan, winston's JSON format, zap, Go's slog…) as its text and its
 * fields, so the text is what a person reads and the fields are filterable; undefined for any other line
 * (plain text, several lines, arrays, malformed or too deep JSON), which stays as it is.
 */
export function parseJsonLogLine(line: string): JsonLogLine | undefined {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line
  if (text.length > MAX_LINE_CHARS || text.charCodeAt(0) !== 123 /* { */ || !text.endsWith('}'))
    return undefined
  if (text.includes('\n')) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || nestsDeeperThan(value)) {
    return undefined
  }
  const fields = value as Record<string, unknown>
  for (const key of MESSAGE_FIELDS) {
    const message = fields[key]
    if (typeof message === 'string') {
      delete fields[key]
      return { message, fields }
    }
  }
  return { message: text, fields }
}
