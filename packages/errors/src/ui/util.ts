import { formatDateTime, h, moduleNav, timeAgo, toDate } from '@monlight/ui-kit'
import type { ErrorSummary, IgnoreUntil } from './types.js'

const SVG_NS = 'http://www.w3.org/2000/svg'

/** An SVG element; attributes are the UI's own numbers and names (never data), `<title>` text is a text node. */
export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElement {
  const element = document.createElementNS(SVG_NS, tag)
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value))
  for (const child of children) element.append(child)
  return element
}

const LEVELS = new Set(['fatal', 'error', 'warning', 'info', 'debug'])

/** `fatal`, `error`, `warning`, `info`, `debug`; upstream reports have no level and count as errors. */
export function levelOf(level: string | null | undefined): string {
  const value = (level ?? '').toLowerCase()
  return LEVELS.has(value) ? value : value === 'warn' ? 'warning' : 'error'
}

export function levelBadge(level: string | null | undefined): HTMLElement {
  const value = levelOf(level)
  return h('span', { class: `badge level lvl-${value}`, title: `Level: ${value}` }, value)
}

export function statusBadge(error: Pick<ErrorSummary, 'status' | 'resolved_in_release'>): HTMLElement {
  const { status } = error
  const color = status === 'resolved' ? 'green' : status === 'ignored' ? 'gray' : 'red'
  const label =
    status === 'resolved'
      ? error.resolved_in_release
        ? `Resolved in ${error.resolved_in_release}`
        : 'Resolved'
      : status === 'ignored'
        ? 'Ignored'
        : 'Unresolved'
  return h('span', { class: `badge status ${color}` }, label)
}

/** What an ignored group waits for, e.g. "until 3 Dec 14:00" or "until 120 events"; '' when forever. */
export function ignoredUntil(error: ErrorSummary): string {
  const parts: string[] = []
  if (error.ignored_until) parts.push(`until ${formatDateTime(error.ignored_until)}`)
  if (error.ignored_until_count !== null) parts.push(`until ${error.ignored_until_count} events`)
  return parts.join(' or ')
}

/** A value as short text: strings as they are, anything else as compact JSON. */
export function display(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

/** A two-column key/value table; entries with empty values are left out. */
export function kvTable(entries: [string, unknown][], className = ''): HTMLElement | null {
  const rows = entries.filter(([, value]) => value !== undefined && value !== null && value !== '')
  if (rows.length === 0) return null
  return h(
    'table',
    { class: `kv ${className}` },
    h(
      'tbody',
      null,
      rows.map(([key, value]) =>
        h('tr', null, h('th', { scope: 'row' }, key), h('td', null, valueNode(value))),
      ),
    ),
  )
}

function valueNode(value: unknown): Node | string {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null) return h('code', null, display(value))
  return h('code', null, String(value))
}

/** `extra` and headers may arrive as objects or as JSON text. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

export function truncate(text: string, max: number): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

export function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? '' : 's'}`
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A relative time with the exact one as tooltip. */
export function ago(value: string | number, className = 'nowrap'): HTMLElement {
  const date = toDate(value)
  if (Number.isNaN(date.getTime())) return h('span', { class: className }, String(value))
  return h(
    'time',
    { class: className, datetime: date.toISOString(), title: formatDateTime(date) },
    timeAgo(date),
  )
}

/** The list's search term for a tag, quoted when the value has spaces: `browser:"Chrome 120"`. */
export function tagTerm(key: string, value: string): string {
  return /[\s"]/.test(value) ? `${key}:"${value.replaceAll('"', '')}"` : `${key}:${value}`
}

/** A relative link to the list filtered by a tag (the value only ever lands in the query string). */
export function tagHref(key: string, value: string): string {
  return `./?${new URLSearchParams({ search: tagTerm(key, value) })}`
}

export const IGNORE_CHOICES: [label: string, until: () => IgnoreUntil][] = [
  ['Forever', () => ({})],
  ['For 1 hour', () => ({ until: new Date(Date.now() + 3_600_000).toISOString() })],
  ['For 24 hours', () => ({ until: new Date(Date.now() + 86_400_000).toISOString() })],
  ['Until 100 more events', () => ({ count: 100 })],
]

/**
 * A drop-down menu (`<details>`, so it opens with Enter/Space); app.ts closes open menus on outside clicks and
 * Escape.
 */
export function menu(label: string, items: Node[], className = ''): HTMLDetailsElement {
  const details = h(
    'details',
    { class: `menu ${className}` },
    h('summary', { class: 'button' }, label, h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾')),
    h('div', { class: 'menu-pop' }, items),
  )
  details.addEventListener('click', (event) => {
    if ((event.target as Element).closest('.menu-pop button')) details.open = false
  })
  return details
}

/** The Ignore menu: calls `pick` with the chosen body. */
export function ignoreMenu(pick: (until: IgnoreUntil) => void, label = 'Ignore'): HTMLDetailsElement {
  return menu(
    label,
    IGNORE_CHOICES.map(([text, until]) =>
      h('button', { type: 'button', onclick: () => pick(until()) }, text),
    ),
    'ignore-menu',
  )
}

/** An in-page link that navigates with `go` on a plain click (keeps modifier clicks and middle clicks). */
export function softLink(href: string, go: () => void, ...children: (Node | string)[]): HTMLAnchorElement {
  return h(
    'a',
    {
      href,
      onclick: (event: Event) => {
        const mouse = event as MouseEvent
        if (mouse.button !== 0 || mouse.metaKey || mouse.ctrlKey || mouse.shiftKey || mouse.altKey) return
        event.preventDefault()
        go()
      },
    },
    ...children,
  )
}

/** The page header: brand (a link to the list) and the page's tools on the right. */
export function header(...tools: (Node | string)[]): HTMLElement {
  return h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: './' }, 'Error Tracker'),
    moduleNav('errors'),
    h('span', { class: 'spacer' }),
    ...tools,
  )
}
