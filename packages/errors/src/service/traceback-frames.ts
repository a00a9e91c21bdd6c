import { type ErrorEvent, normalizeErrorEvent, type StackFrame } from '@monlight/core'

/**
 * The structured view of an upstream report (no `event`): its traceback text parsed for display. Never stored
 * and never used for grouping (the fingerprint stays upstream's, computed from the text).
 */
export type DerivedEvent = ErrorEvent & {
  /** Always true: this event was parsed from the traceback text, not sent by an SDK. */
  derived: true
  truncated?: string[]
}

/** One exception of a parsed traceback: its type and value as the text gives them, and its frames. */
export interface ParsedException {
  type: string
  value: string
  frames: StackFrame[]
}

export interface ParsedTraceback {
  /** `python` or `javascript` when frames of either were found. */
  platform?: 'python' | 'javascript'
  /** Causes first, the raised exception last (Sentry's order); frames oldest call first. */
  exceptions: ParsedException[]
}

/**
 * The event of an upstream report: `{ derived: true, platform?, exceptions: [...causes, raised] }`, the raised
 * exception with the report's type and message. Bounded as any event (frames, lengths). Never throws.
 */
export function eventFromTraceback(exceptionType: string, message: string, traceback: string): DerivedEvent {
  const parsed = parseTraceback(traceback)
  const causes = parsed.exceptions.slice(0, -1)
  const raised = parsed.exceptions.at(-1)
  const { event, truncated } = normalizeErrorEvent({
    ...(parsed.platform && { platform: parsed.platform }),
    exceptions: [
      ...causes,
      {
        type: exceptionType || raised?.type || '',
        value: message || raised?.value || '',
        frames: raised?.frames ?? [],
      },
    ],
  })
  // A report without type or message still gets its (empty) exception, so the shape is always the same.
  if (!event.exceptions) event.exceptions = [{ type: '', value: '', frames: [] }]
  return { derived: true, ...event, ...(truncated.length > 0 && { truncated }) }
}

const PY_FRAME = /^[ \t|]*File "([^"]*)", line (\d+)(?:, in (.+?))?[ \t\r]*$/
const PY_CHAIN =
  /^[ \t|]*(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)/
const PY_HEADER = /^[ \t|+]*(?:Exception Group )?Traceback \(most recent call last\):/
/** Python 3.11+ underlines the failing expression: `    ^^^^^`, `    ~~~^^^`. */
const PY_CARETS = /^[ \t|]*[~^]+[ \t\r]*$/
const PY_REPEATED = /^[ \t|]*\[Previous line repeated \d+ more times?\]/
const V8_FRAME = /^[ \t]*at (.*?)[ \t\r]*$/
const CAUSED_BY = /^[ \t]*Caused by: (.*)$/
const FILE_LINE_COL = /^(.*?):(\d+)(?::(\d+))?$/

/** Python (`File "x.py", line 12, in fn`) or JavaScript (V8 `at fn (file:line:col)`, Firefox `fn@file:line:col`). */
export function parseTraceback(text: string): ParsedTraceback {
  const lines = text.split('\n')
  if (lines.some((line) => PY_FRAME.test(line))) return { platform: 'python', exceptions: parsePython(lines) }
  const js = parseV8(lines) ?? parseGecko(lines)
  return js ? { platform: 'javascript', exceptions: js } : { exceptions: [] }
}

/** Python prints the oldest call first and the cause before the exception it led to: Sentry's order already. */
function parsePython(lines: string[]): ParsedException[] {
  const exceptions: ParsedException[] = []
  let frames: StackFrame[] = []
  /** The lines after the frames: the exception's `Type: value` (a value may span lines). */
  let tail: string[] = []
  const close = () => {
    if (frames.length > 0 || tail.length > 0) exceptions.push({ ...typeAndValue(tail.join('\n')), frames })
    frames = []
    tail = []
  }
  /** Lines before a block's first frame are a preamble (a log line...), not an exception. */
  const startBlock = () => {
    if (frames.length > 0) close()
    tail = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (PY_CHAIN.test(line)) {
      close()
      continue
    }
    const match = PY_FRAME.exec(line)
    if (match) {
      const [, file, lineno, fn] = match
      const frame: StackFrame = { filename: file!, lineno: Number(lineno), in_app: isAppFile(file!) }
      if (fn) frame.function = fn
      const next = lines[i + 1]
      // The source line follows its frame, indented deeper; not every frame has one (`<stdin>`, no source).
      if (
        next !== undefined &&
        /^[ \t|]*[ \t]{3}\S/.test(next) &&
        !PY_FRAME.test(next) &&
        !PY_CARETS.test(next) &&
        !PY_REPEATED.test(next)
      ) {
        frame.context_line = next.replace(/^[ \t|]*/, '').replace(/[ \t\r]+$/, '')
        i++
      }
      // A frame after an exception's text starts the next exception.
      if (tail.length > 0) startBlock()
      frames.push(frame)
      continue
    }
    if (PY_HEADER.test(line)) {
      startBlock()
      continue
    }
    if (PY_CARETS.test(line) || PY_REPEATED.test(line)) continue
    const content = line.replace(/^[ \t|+]*/, '').replace(/[ \t\r]+$/, '')
    if (content && !/^-+( \d+ -+)?$/.test(content)) tail.push(content)
  }
  close()
  return exceptions
}

/** V8 prints the newest call first: frames are reversed. `Caused by:` (as `describeError` writes) starts a cause. */
function parseV8(lines: string[]): ParsedException[] | undefined {
  if (!lines.some((line) => V8_FRAME.test(line))) return undefined
  // The raised error first, then its causes: each with its header (type and message) and its frames.
  const parts: { header: string[]; frames: StackFrame[] }[] = [{ header: [], frames: [] }]
  for (const line of lines) {
    const cause = CAUSED_BY.exec(line)
    if (cause) {
      parts.push({ header: [cause[1]!], frames: [] })
      continue
    }
    const part = parts.at(-1)!
    const match = V8_FRAME.exec(line)
    if (match) part.frames.push(v8Frame(match[1]!))
    else if (part.frames.length === 0 && line.trim()) part.header.push(line.trim())
  }
  return parts
    .reverse()
    .map(({ header, frames }) => ({ ...typeAndValue(header.join('\n')), frames: frames.reverse() }))
}

/** `fn (file:line:col)`, `file:line:col`, `async fn (...)`, `new C (...)`, `fn (native)`, `eval (eval at ...)`. */
function v8Frame(rest: string): StackFrame {
  const open = rest.endsWith(')') ? rest.indexOf(' (') : -1
  const name = (open === -1 ? '' : rest.slice(0, open)).replace(/^async /, '')
  let where = open === -1 ? rest : rest.slice(open + 2, -1)
  // `eval at fn (file:1:2), <anonymous>:3:4`: the eval'd code's own place is the last part.
  if (where.startsWith('eval at ')) where = where.slice(where.lastIndexOf(', ') + 2)
  const location = FILE_LINE_COL.exec(where)
  const frame: StackFrame = {}
  if (open === -1 && !location) {
    if (rest) frame.function = rest.replace(/^async /, '')
  } else if (name) {
    frame.function = name
  }
  // `fn (<anonymous>)`, `fn (native)`: a built-in; `(index 0)` is no place at all.
  const builtIn = open !== -1 && /^(?:<anonymous>|native)$/.test(where)
  return withLocation(frame, location, builtIn ? where : undefined)
}

/** Firefox and Safari: `fn@file:line:col`, `@file:line:col` (anonymous); newest first, as V8. */
function parseGecko(lines: string[]): ParsedException[] | undefined {
  const frames: StackFrame[] = []
  const header: string[] = []
  for (const raw of lines) {
    const line = raw.trim()
    const sign = line.indexOf('@')
    const location = sign === -1 ? null : FILE_LINE_COL.exec(line.slice(sign + 1))
    const native = sign !== -1 && line.slice(sign + 1) === '[native code]'
    if (location || native) {
      const frame: StackFrame = sign > 0 ? { function: line.slice(0, sign) } : {}
      frames.push(withLocation(frame, location, native ? '[native code]' : undefined))
    } else if (frames.length === 0 && line) {
      header.push(line)
    }
  }
  if (!frames.some((frame) => frame.lineno !== undefined)) return undefined
  return [{ ...typeAndValue(header.join('\n')), frames: frames.reverse() }]
}

function withLocation(frame: StackFrame, location: RegExpExecArray | null, file?: string): StackFrame {
  if (location) {
    frame.filename = location[1]!
    frame.lineno = Number(location[2])
    if (location[3] !== undefined) frame.colno = Number(location[3])
  } else if (file) {
    frame.filename = file
  }
  frame.in_app = frame.filename !== undefined && location !== null && isAppFile(frame.filename)
  return frame
}

/** Libraries and the runtime: site-packages, the Python standard library, node_modules, `node:` built-ins. */
function isAppFile(file: string): boolean {
  return !/[\\/](?:site-packages|dist-packages|node_modules)[\\/]|^<frozen |[\\/]lib[\\/]python\d+(?:\.\d+)?[\\/]|^node:|^internal[\\/]|^(?:<anonymous>|native|\[native code\])$/.test(
    file,
  )
}

/** `ValueError: bad value` → type and value; a line that is not `Type: value` is a value without type. */
function typeAndValue(text: string): { type: string; value: string } {
  const match = /^(?:Uncaught )?([A-Za-z_$][\w$.]*)(?::[ \t]?([\s\S]*))?$/.exec(text)
  return match ? { type: match[1]!, value: match[2] ?? '' } : { type: '', value: text }
}
