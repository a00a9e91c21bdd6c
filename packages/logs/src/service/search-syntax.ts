import { MonlightError } from '@monlight/core'

/**
 * The documented search syntax, parsed once and translated per dialect so SQLite FTS5 and PostgreSQL tsvector
 * give the same rows:
 * - words: `timeout` (every word must occur; punctuation splits words, so `db.example` is the phrase "db example")
 * - phrases: `"connection refused"`
 * - `OR` between alternatives: `timeout OR refused`
 * - exclusion: `NOT debug` or `-debug` (next to at least one word to look for)
 * Matching is on whole words, case-insensitive.
 */
export interface SearchQuery {
  /** Alternatives (OR); each matches when all its `include` terms occur and no `exclude` term does. */
  groups: { include: Term[]; exclude: Term[] }[]
}

/** One word or phrase: its tokens, lowercased. */
type Term = string[]

const MAX_TERMS = 32
const TOKEN = /[\p{L}\p{N}]+/gu

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

/** Parses a search; a mistake is a 400 that says what to fix. */
export function parseSearch(input: string): SearchQuery {
  const groups: SearchQuery['groups'] = []
  let group: SearchQuery['groups'][number] = { include: [], exclude: [] }
  let negate = false
  let expectTerm = false // after OR: something must follow
  let terms = 0
  const closeGroup = () => {
    if (group.include.length === 0) {
      if (group.exclude.length > 0)
        invalid("NOT needs a word to search for beside it, e.g. 'error NOT debug'")
      invalid("OR needs a word on both sides, e.g. 'timeout OR refused'")
    }
    groups.push(group)
    group = { include: [], exclude: [] }
  }
  const addTerm = (tokens: string[]) => {
    if (tokens.length === 0) {
      negate = false
      return
    }
    if (++terms > MAX_TERMS) invalid(`too many words (at most ${MAX_TERMS})`)
    ;(negate ? group.exclude : group.include).push(tokens)
    negate = false
    expectTerm = false
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
      const end = input.indexOf('"', i + 1)
      if (end === -1) invalid('a phrase is missing its closing quote (")')
      if (negated) negate = true
      addTerm(tokenize(input.slice(i + 1, end)))
      i = end + 1
      continue
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
  if (group.include.length === 0 && group.exclude.length === 0 && groups.length === 0) {
    invalid('no words to look for (words are letters and digits)')
  }
  closeGroup()
  return { groups }
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
