import { createHash } from 'node:crypto'

/** Where an error was thrown, as found in its traceback. */
export interface Location {
  file: string
  line: string
}

/**
 * The grouping key, bit-for-bit as upstream: lowercase hex MD5 of `project:exception_type:file:line`, or of
 * `project:exception_type:<whole traceback>` when no location is found. The message is not part of the key.
 */
export function fingerprint(project: string, exceptionType: string, traceback: string): string {
  const location = findLocation(traceback)
  const where = location ? `${location.file}:${location.line}` : traceback
  return createHash('md5').update(`${project}:${exceptionType}:${where}`).digest('hex')
}

/** The Python location (deepest frame) if there is one anywhere, else the first JavaScript frame. */
export function findLocation(traceback: string): Location | undefined {
  return findPythonLocation(traceback) ?? findJsLocation(traceback)
}

const PY_FILE = 'File "'
const PY_LINE = ', line '

/** Last `File "<path>", line <digits>` in the text: Python prints the deepest frame last. */
function findPythonLocation(text: string): Location | undefined {
  let found: Location | undefined
  let from = 0
  for (;;) {
    const start = text.indexOf(PY_FILE, from)
    if (start === -1) return found
    const pathStart = start + PY_FILE.length
    const quote = text.indexOf('"', pathStart)
    if (quote === -1) return found
    const digits = text.startsWith(PY_LINE, quote + 1) ? leadingDigits(text, quote + 1 + PY_LINE.length) : ''
    if (digits) {
      found = { file: text.slice(pathStart, quote), line: digits }
      from = quote + 1 + PY_LINE.length + digits.length
    } else {
      // Not a frame: resume on the next line, as upstream.
      const newline = text.indexOf('\n', pathStart)
      if (newline === -1) return found
      from = newline + 1
    }
  }
}

/** First line that is a V8 (`at fn (file:line:col)`) or Firefox/Safari (`fn@file:line:col`) frame. */
function findJsLocation(text: string): Location | undefined {
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/^[ \t\r]+|[ \t\r]+$/g, '')
    if (!line) continue
    const at = line.indexOf('at ')
    if (at !== -1) {
      // Upstream took `at ` anywhere, so a message such as "bad data at row:12" became a frame. V8 frames start
      // with `at `; any other line containing it yields nothing (and, as upstream, no `@` fallback).
      if (at !== 0) continue
      const rest = line.slice(3)
      const open = rest.indexOf('(')
      const close = open === -1 ? -1 : rest.indexOf(')', open)
      const location = parseFileLine(close === -1 ? rest : rest.slice(open + 1, close))
      if (location) return location
      continue
    }
    const sign = line.indexOf('@')
    if (sign !== -1 && sign + 1 < line.length) {
      const location = parseFileLine(line.slice(sign + 1))
      if (location) return location
    }
  }
  return undefined
}

/** `file:line:col` or `file:line`; the column is dropped. */
function parseFileLine(text: string): Location | undefined {
  const last = text.lastIndexOf(':')
  if (last === -1) return undefined
  const tail = text.slice(last + 1)
  if (!isDigits(tail)) return undefined
  const head = text.slice(0, last)
  const secondLast = head.lastIndexOf(':')
  if (secondLast !== -1) {
    const middle = head.slice(secondLast + 1)
    const file = head.slice(0, secondLast)
    if (isDigits(middle) && file) return { file, line: middle }
  }
  return { file: head, line: tail }
}

function isDigits(text: string): boolean {
  return text.length > 0 && /^[0-9]+$/.test(text)
}

function leadingDigits(text: string, from: number): string {
  let end = from
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++
  return text.slice(from, end)
}
