/**
 * The name of the function enclosing a position of original source code, read from the map's `sourcesContent`.
 * Minifiers rename functions and a stack frame's position rarely carries a mapped name, so this is what turns
 * `at HTMLButtonElement.a` back into `at handleClick`. One pass over a source matches its braces and names each
 * block from the header before it; a heuristic that ignores braces in strings and comments, good for real code.
 */
const KEYWORDS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'with',
  'function',
  'return',
  'else',
  'do',
  'try',
])
const IDENT = '[A-Za-z_$][\\w$]*'
const PARAMS = '\\([^()]*(?:\\([^()]*\\)[^()]*)*\\)'
const TYPE = '(?:\\s*:\\s*[^{}=;]+?)?'
const HEADERS = [
  // function name(...) {   async function* name<T>(...): T {
  new RegExp(`function\\s*\\*?\\s*(${IDENT})\\s*(?:<[^>]*>)?\\s*${PARAMS}${TYPE}\\s*$`),
  // name = (...) => {   name: async function (...) {   name = x => {
  new RegExp(
    `(${IDENT})\\s*[=:]\\s*(?:async\\s+)?(?:function\\s*\\*?\\s*(?:${IDENT})?\\s*${PARAMS}|${PARAMS}${TYPE}\\s*=>|${IDENT}\\s*=>)\\s*$`,
  ),
  // method(...) {   async method(...) {   get value() {
  new RegExp(`(?:^|[\\s;{},])(${IDENT})\\s*(?:<[^>]*>)?\\s*${PARAMS}${TYPE}\\s*$`),
]
/** An anonymous function's header: `(...) =>`, `x =>`, `function (...)`. Its body is not its caller's. */
const ANONYMOUS = new RegExp(`(?:=>|function\\s*\\*?\\s*${PARAMS}${TYPE})\\s*$`)
const HEADER_CHARS = 200

/** Function blocks of one source, as [start, end] positions (line × 2^20 + column); `''` names an anonymous one. */
export interface FunctionIndex {
  starts: number[]
  ends: number[]
  names: string[]
}

const position = (line: number, column: number) => line * 1_048_576 + column

/** Indexes the functions of a source once; lookups are then cheap for every frame. */
export function indexFunctions(content: string): FunctionIndex {
  const index: FunctionIndex = { starts: [], ends: [], names: [] }
  const open: { start: number; name: string | undefined }[] = []
  let line = 1
  let lineStart = 0
  for (let i = 0; i < content.length; i++) {
    const char = content.charCodeAt(i)
    if (char === 10) {
      line++
      lineStart = i + 1
    } else if (char === 123) {
      open.push({
        start: position(line, i - lineStart + 1),
        name: headerName(content.slice(Math.max(0, i - HEADER_CHARS), i)),
      })
    } else if (char === 125) {
      const block = open.pop()
      if (block?.name !== undefined) {
        index.starts.push(block.start)
        index.ends.push(position(line, i - lineStart + 1))
        index.names.push(block.name)
      }
    }
  }
  return index
}

/** The name of the innermost function block around (line, column), 1-based; undefined inside an anonymous one. */
export function enclosingFunction(index: FunctionIndex, line: number, column: number): string | undefined {
  const at = position(line, column)
  let best = -1
  for (let i = 0; i < index.starts.length; i++) {
    if (
      index.starts[i]! < at &&
      at <= index.ends[i]! &&
      (best === -1 || index.starts[i]! > index.starts[best]!)
    )
      best = i
  }
  return best === -1 ? undefined : index.names[best] || undefined
}

function headerName(before: string): string | undefined {
  const header = before.replace(/\s+/g, ' ').trimEnd()
  for (const pattern of HEADERS) {
    const name = pattern.exec(header)?.[1]
    if (name && !KEYWORDS.has(name)) return name
  }
  return ANONYMOUS.test(header) ? '' : undefined
}
