/**
 * Stack-trace lines of the three browser engines, parsed just enough to rewrite their locations:
 * Chrome/V8 `    at fn (https://x/app.js:1:2)` or `    at https://x/app.js:1:2`, Firefox and Safari
 * `fn@https://x/app.js:1:2`, and Safari's bare `https://x/app.js:1:2`. Other lines are kept unchanged.
 */
export interface StackFrame {
  style: 'v8' | 'gecko'
  /** Leading whitespace of the line, kept on rewrite. */
  indent: string
  /** Function as printed (may be empty, `new X`, `async f`). */
  fn: string
  file: string
  line: number
  column: number
}

export function parseFrame(text: string): StackFrame | undefined {
  const indent = /^[ \t]*/.exec(text)![0]
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (trimmed.startsWith('at ')) {
    const rest = trimmed.slice(3)
    const open = rest.lastIndexOf('(')
    const close = rest.lastIndexOf(')')
    const hasParens = open !== -1 && close > open && rest.endsWith(')')
    const location = parseLocation(hasParens ? rest.slice(open + 1, close) : rest)
    return location && { style: 'v8', indent, fn: hasParens ? rest.slice(0, open).trim() : '', ...location }
  }
  const at = trimmed.indexOf('@')
  if (at !== -1) {
    const location = parseLocation(trimmed.slice(at + 1))
    return location && { style: 'gecko', indent, fn: trimmed.slice(0, at), ...location }
  }
  // Safari prints frames of anonymous top-level code as a bare location.
  if (/^[a-z][\w+.-]*:\/\/\S+$/i.test(trimmed)) {
    const location = parseLocation(trimmed)
    return location && { style: 'gecko', indent, fn: '', ...location }
  }
  return undefined
}

/** `file:line:col`, parsed from the right so URLs with ports work. */
function parseLocation(text: string): { file: string; line: number; column: number } | undefined {
  const match = /^(.+):(\d+):(\d+)$/.exec(text.trim())
  if (!match) return undefined
  return { file: match[1]!, line: Number(match[2]), column: Number(match[3]) }
}

export interface OriginalLocation {
  source: string
  line: number
  column: number
  name?: string
}

/** The frame as its engine would print it, at the original location. */
export function formatFrame(frame: StackFrame, original: OriginalLocation): string {
  const where = `${original.source}:${original.line}:${original.column}`
  const fn = original.name || frame.fn
  if (frame.style === 'v8') return `${frame.indent}at ${fn ? `${fn} (${where})` : where}`
  return `${frame.indent}${fn}@${where}`
}

/**
 * The keys a frame's file can be uploaded under: its path without scheme, host, query and hash
 * (`https://cdn.example.com/static/app.js?v=3#x` → `/static/app.js`), and the full URL without query and hash.
 */
export function fileKeys(file: string): string[] {
  const bare = file.replace(/[?#].*$/, '')
  const scheme = bare.indexOf('://')
  if (scheme === -1) return [bare]
  const slash = bare.indexOf('/', scheme + 3)
  const path = slash === -1 ? '/' : bare.slice(slash)
  return path === bare ? [path] : [path, bare]
}

/** The path of a page URL for the `page` label: no scheme, host, query or hash; `/` when empty. */
export function pagePath(url: string): string {
  return fileKeys(url)[0] || '/'
}
