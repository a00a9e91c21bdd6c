import { MonlightError } from '@monlight/core'

/**
 * The documented search syntax, parsed once and translated per dialect so SQLite FTS5 and PostgreSQL tsvector
 * give the same rows:
 * - words: `timeout` (every word must occur; punctuation splits words, so `db.example` is the phrase "db example")
 * - phrases: `"connection refused"`
 * - `OR` between alternatives: `timeout OR refused`
 * - exclusion: `NOT debug` or `-debug` (next to at least one word to look for)
 * Matching is on whole words, case-insensitive.
 *
 * Field filters (see {@link FieldFilter}) narrow the whole search, whatever its alternatives: `attr.user_id:42`,
 * `attr.resource."service.name":api`, `attr.trace_id:*` (present), `service:api` (`container:` alike),
 * `level:error` or `level:>=warning`; each can be negated like a word (`-attr.env:dev`).
 */
export interface SearchQuery {
  /** Alternatives (OR); each matches when all its `include` terms occur and no `exclude` term does. */
  groups: { include: Term[]; exclude: Term[] }[]
}

/** One word or phrase: its tokens, lowercased. */
type Term = string[]

/**
 * One `name:value` filter. `attr` names an attribute by its path: written `a.b.c`, it is looked up as the key
 * `a.b.c`, as `a` → `b.c` (OpenTelemetry's dotted names under `resource`), and as `a` → `b` → `c`; a quoted
 * segment (`a."b.c"`) is one key. The value matches the attribute's text (numbers and booleans as JSON writes
 * them); `*` means "present".
 */
export type FieldFilter =
  | { field: 'attr'; paths: string[][]; value: string | null; negate: boolean }
  | { field: 'container' | 'level'; value: string; negate: boolean }

/** A search with its field filters: `text` is undefined when there are no words. */
export interface LogSearch {
  text?: SearchQuery
  fields: FieldFilter[]
}

const MAX_TERMS = 32
const MAX_PATH_SEGMENTS = 16
const TOKEN = /[\p{L}\p{N}]+/gu
/** `service:` is `container:` under the name OpenTelemetry and Loki users know. */
const COLUMN_FIELDS = new Map([
  ['service', 'container'],
  ['container', 'container'],
  ['level', 'level'],
] as const)

/** A search term's tokens (at most 16). */
export function tokenize(text: string): string[] {
  return wordsOf(text).slice(0, 16)
}

/** The words the index holds for a text: runs of letters and digits, lowercased. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? []
}

function invalid(reason: string): never {
  throw new MonlightError('VALIDATION_FAILED', `Invalid search: ${reason}`)
}

/** Parses a search of words only (a `name:value` is two words); a mistake is a 400 that says what to fix. */
export function parseSearch(input: string): SearchQuery {
  return parse(input, false).text!
}

/** Parses a search with field filters; a mistake is a 400 that says what to fix. */
export function parseLogSearch(input: string): LogSearch {
  return parse(input, true)
}

function parse(input: string, withFields: boolean): LogSearch {
  const groups: SearchQuery['groups'] = []
  const fields: FieldFilter[] = []
  let group: SearchQuery['groups'][number] = { include: [], exclude: [] }
  let negate = false
  let expectTerm = false // after OR: something must follow
  let terms = 0
  const closeGroup = () => {
    if (group.include.length === 0) {
      if (group.exclude.length > 0)
        invalid("NOT needs a word to search for beside it, e.g. 'error NOT debug'")
      if (fields.length > 0)
        invalid(
          'field filters apply to the whole search and cannot be alternatives of OR; OR needs a word on both sides',
        )
      invalid("OR needs a word on both sides, e.g. 'timeout OR refused'")
    }
    groups.push(group)
    group = { include: [], exclude: [] }
  }
  const count = () => {
    if (++terms > MAX_TERMS) invalid(`too many words (at most ${MAX_TERMS})`)
  }
  const addTerm = (tokens: string[]) => {
    if (tokens.length === 0) {
      negate = false
      return
    }
    count()
    ;(negate ? group.exclude : group.include).push(tokens)
    negate = false
    expectTerm = false
  }
  /** The quoted text from `input[at]` (a quote) and the index after its closing quote. */
  const quoted = (at: number, what: string): [string, number] => {
    const end = input.indexOf('"', at + 1)
    if (end === -1) invalid(`${what} is missing its closing quote (")`)
    return [input.slice(at + 1, end), end + 1]
  }
  /** A field's value from `at`: a quoted text or a run up to whitespace. */
  const fieldValue = (at: number, name: string): [string, number] => {
    if (input[at] === '"') return quoted(at, `the value of ${name}`)
    let end = at
    while (end < input.length && !/\s/.test(input[end]!)) end++
    if (end === at) invalid(`${name}: needs a value, e.g. ${name}:42 (or ${name}:* for "present")`)
    return [input.slice(at, end), end]
  }
  /** `attr.<path>:<value>` from `at` (just after `attr.`); returns the index after it. */
  const attrFilter = (at: number): number => {
    const segments: { text: string; quoted: boolean }[] = []
    let i = at
    for (;;) {
      if (input[i] === '"') {
        const [text, next] = quoted(i, 'an attribute name')
        segments.push({ text, quoted: true })
        i = next
      } else {
        let end = i
        while (end < input.length && !/[\s.:"]/.test(input[end]!)) end++
        if (end === i) invalid('an attribute filter is attr.<name>:<value>, e.g. attr.user_id:42')
        segments.push({ text: input.slice(i, end), quoted: false })
        i = end
      }
      if (segments.length > MAX_PATH_SEGMENTS)
        invalid(`an attribute path has at most ${MAX_PATH_SEGMENTS} parts`)
      if (input[i] === '.') i++
      else if (input[i] === ':') break
      else invalid('an attribute filter is attr.<name>:<value>, e.g. attr.user_id:42')
    }
    const name = `attr.${input.slice(at, i)}`
    const [value, end] = fieldValue(i + 1, name)
    count()
    fields.push({
      field: 'attr',
      paths: attributePaths(segments),
      value: value === '*' ? null : value,
      negate,
    })
    return end
  }

  let i = 0
  while (i < input.length) {
    const char = input[i]!
    if (/\s/.test(char)) {
      i++
      continue
    }
    if (char === '(' || char === ')') invalid('parentheses are not supported; use OR between words')
    let negated = false
    if (char === '-' && i + 1 < input.length && !/\s/.test(input[i + 1]!)) {
      negated = true
      i++
    }
    if (input[i] === '"') {
      if (negated) negate = true
      const [phrase, next] = quoted(i, 'a phrase')
      addTerm(tokenize(phrase))
      i = next
      continue
    }
    if (withFields) {
      const column = /^(service|container|level):/.exec(input.slice(i, i + 10))
      if (input.startsWith('attr.', i) || column) {
        if (negated) negate = true
        if (column) {
          const name = column[1] as 'service' | 'container' | 'level'
          const [value, next] = fieldValue(i + name.length + 1, name)
          count()
          fields.push({ field: COLUMN_FIELDS.get(name)!, value, negate })
          i = next
        } else i = attrFilter(i + 5)
        negate = false
        continue
      }
    }
    let end = i
    while (end < input.length && !/\s/.test(input[end]!) && input[end] !== '"') end++
    const word = input.slice(i, end)
    i = end
    if (!negated && word === 'OR') {
      if (negate) invalid('NOT must be followed by a word')
      closeGroup()
      expectTerm = true
      continue
    }
    if (!negated && word === 'AND') continue
    if (!negated && word === 'NOT') {
      negate = true
      continue
    }
    if (negated) negate = true
    addTerm(tokenize(word))
  }
  if (negate) invalid('NOT must be followed by a word')
  if (expectTerm) invalid("OR needs a word on both sides, e.g. 'timeout OR refused'")
  const empty = group.include.length === 0 && group.exclude.length === 0
  if (empty && groups.length === 0) {
    if (fields.length > 0) return { fields }
    invalid('no words to look for (words are letters and digits)')
  }
  closeGroup()
  return { text: { groups }, fields }
}

/**
 * What the attribute index must hold for the positive attribute filters to match, as a text search over the words
 * of the attributes' JSON: per filter, its last key's words followed by the value's words (adjacent in the JSON
 * text, whichever path the name means: `"service.name":"shop"` or `"name":"shop"`) and the other keys' words.
 * Words are taken from the JSON encoding, so escapes split them as in the stored text. Undefined when no filter
 * names a word (nothing to look up).
 */
export function attributeWords(fields: readonly FieldFilter[]): SearchQuery | undefined {
  const include: Term[] = []
  for (const field of fields) {
    if (field.field !== 'attr' || field.negate) continue
    const path = field.paths.at(-1)!
    const words = (text: string) => wordsOf(JSON.stringify(text))
    for (const key of path.slice(0, -1)) for (const word of words(key)) include.push([word])
    const leaf = [...words(path.at(-1)!), ...(field.value === null ? [] : words(field.value))]
    if (leaf.length > 0) include.push(leaf.slice(0, MAX_TERMS))
  }
  return include.length > 0 ? { groups: [{ include: include.slice(0, MAX_TERMS), exclude: [] }] } : undefined
}

/** The key paths an attribute name can mean (see {@link FieldFilter}), without repeats. */
function attributePaths(segments: { text: string; quoted: boolean }[]): string[][] {
  if (segments.some((segment) => segment.quoted)) return [segments.map((segment) => segment.text)]
  const parts = segments.map((segment) => segment.text)
  const candidates = [[parts.join('.')], [parts[0]!, parts.slice(1).join('.')], parts]
  const seen = new Set<string>()
  return candidates.filter((path) => {
    if (path.some((key) => key === '')) return false
    const key = JSON.stringify(path)
    return !seen.has(key) && Boolean(seen.add(key))
  })
}

/** An FTS5 MATCH expression; every token is quoted, so no user text reaches FTS5's own syntax. */
export function toFts5(query: SearchQuery): string {
  const term = (tokens: Term) => `"${tokens.join(' ')}"`
  return query.groups
    .map(({ include, exclude }) => {
      let expression = `(${include.map(term).join(' AND ')})`
      for (const tokens of exclude) expression = `(${expression} NOT ${term(tokens)})`
      return expression
    })
    .join(' OR ')
}

/** A `to_tsquery('simple', …)` input; tokens are letters and digits only, so nothing needs escaping. */
export function toTsquery(query: SearchQuery): string {
  const term = (tokens: Term) => (tokens.length === 1 ? tokens[0]! : `(${tokens.join(' <-> ')})`)
  return query.groups
    .map(
      ({ include, exclude }) =>
        `(${[...include.map(term), ...exclude.map((t) => `!${term(t)}`)].join(' & ')})`,
    )
    .join(' | ')
}
