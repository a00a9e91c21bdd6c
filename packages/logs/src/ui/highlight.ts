import { h } from '@monlight/ui-kit'

const WORD = /[\p{L}\p{N}]+/gu
/** Search terms that name no words of the message: operators, exclusions and field filters. */
const NOT_WORDS = /^(-|attr\.|service:|container:|level:)|^(OR|AND|NOT)$/

/** The words a search looks for in messages (lowercased), as the server's search syntax reads them. */
export function searchWords(search: string): Set<string> {
  const words = new Set<string>()
  for (const term of search.match(/"[^"]*"|\S+/g) ?? []) {
    if (NOT_WORDS.test(term)) continue
    for (const word of term.toLowerCase().match(WORD) ?? []) words.add(word)
  }
  return words
}

/** `text` with each whole word the search looks for in a `<mark>`; plain text when there is none. */
export function highlighted(text: string, words: ReadonlySet<string>): (string | HTMLElement)[] {
  if (words.size === 0) return [text]
  const parts: (string | HTMLElement)[] = []
  let last = 0
  for (const match of text.matchAll(WORD)) {
    if (!words.has(match[0].toLowerCase())) continue
    if (match.index > last) parts.push(text.slice(last, match.index))
    parts.push(h('mark', null, match[0]))
    last = match.index + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return parts
}

/** A message that is one JSON object or array, indented for reading; undefined for any other text. */
export function prettyJson(message: string): string | undefined {
  const text = message.trim()
  if (!/^[[{]/.test(text)) return undefined
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : undefined
  } catch {
    return undefined
  }
}
