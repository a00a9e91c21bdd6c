import { h } from '@monlight/ui-kit'

/** One leaf of an entry's attributes: its key path and value (strings, numbers, booleans, null, arrays). */
export type Field = [path: string[], value: unknown]

/** Keys this deep or more are shown as JSON rather than opened further. */
const MAX_DEPTH = 8

/** An entry's attributes as leaves, nested objects opened (`resource` → `service.name`). */
export function flattenFields(attributes: Record<string, unknown>, path: string[] = []): Field[] {
  const fields: Field[] = []
  for (const [key, value] of Object.entries(attributes)) {
    const at = [...path, key]
    if (value && typeof value === 'object' && !Array.isArray(value) && at.length < MAX_DEPTH) {
      fields.push(...flattenFields(value as Record<string, unknown>, at))
    } else fields.push([at, value])
  }
  return fields
}

export const fieldName = (path: string[]): string => path.join('.')

export const fieldText = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value)

/**
 * The search filter for "this field has this value", as the search syntax spells it: plain dotted names where the
 * server's lookup finds them (a dotted key alone or under one plain key), quoted segments otherwise. Undefined
 * when the syntax cannot say it (a quote in the name or value, null, arrays).
 */
export function filterTerm([path, value]: Field): string | undefined {
  if (value === null || typeof value === 'object') return undefined
  const text = String(value)
  if (text === '' || text.includes('"') || path.some((key) => key === '' || key.includes('"')))
    return undefined
  const quote = (key: string) => /[\s:.]/.test(key)
  const dotted = (key: string) => key.includes('.')
  const plain =
    !path.some((key) => /[\s:]/.test(key)) &&
    (path.length === 1 || (path.length === 2 && !dotted(path[0]!)) || !path.some(dotted))
  const name = plain ? path.join('.') : path.map((key) => (quote(key) ? `"${key}"` : key)).join('.')
  return `attr.${name}:${/\s/.test(text) ? `"${text}"` : text}`
}

/** The attributes as a table of fields, each with a button that adds "field = value" to the search. */
export function fieldsTable(
  attributes: Record<string, unknown>,
  onFilter: (term: string) => void,
): HTMLElement {
  return h(
    'table',
    { class: 'fields' },
    h(
      'tbody',
      null,
      flattenFields(attributes).map((field) => {
        const term = filterTerm(field)
        return h(
          'tr',
          null,
          h('th', { class: 'mono', scope: 'row' }, fieldName(field[0])),
          h('td', { class: 'mono' }, fieldText(field[1])),
          h(
            'td',
            { class: 'actions' },
            term
              ? h(
                  'button',
                  { type: 'button', title: `Search ${term}`, onclick: () => onFilter(term) },
                  'Filter',
                )
              : null,
          ),
        )
      }),
    ),
  )
}

/** The first few fields, `name=value`, for the one-line summary of an entry. */
export function inlineFields(attributes: Record<string, unknown>, count = 3): string {
  return flattenFields(attributes)
    .slice(0, count)
    .map(([path, value]) => `${fieldName(path)}=${fieldText(value)}`)
    .join(' ')
}
