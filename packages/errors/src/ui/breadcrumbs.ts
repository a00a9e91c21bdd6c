import { formatDateTime, h } from '@monlight/ui-kit'
import type { Breadcrumb } from './types.js'
import { display, levelOf } from './util.js'

const SHOWN = 12

/** The breadcrumbs as a timeline, newest (nearest the error) first; older ones behind "Show all". */
export function breadcrumbs(crumbs: readonly Breadcrumb[], eventTime?: number): HTMLElement {
  const newestFirst = [...crumbs].reverse()
  const rows = newestFirst.map((crumb, i) => crumbRow(crumb, eventTime, i >= SHOWN))
  const table = h(
    'table',
    { class: 'crumbs' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Type'),
        h('th', null, 'Description'),
        h('th', { class: 'lvl' }, 'Level'),
        h('th', { class: 'time' }, 'Time'),
      ),
    ),
    h('tbody', null, rows),
  )
  const hiddenCount = Math.max(0, rows.length - SHOWN)
  const more =
    hiddenCount > 0 &&
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: (event: Event) => {
          for (const row of rows) row.hidden = false
          ;(event.currentTarget as HTMLElement).remove()
        },
      },
      `Show ${hiddenCount} older breadcrumb${hiddenCount === 1 ? '' : 's'}`,
    )
  return h('div', { class: 'crumbs-wrap' }, h('div', { class: 'table-wrap' }, table), more)
}

function crumbRow(crumb: Breadcrumb, eventTime: number | undefined, hidden: boolean): HTMLTableRowElement {
  const category = crumb.category ?? crumb.type ?? 'default'
  const level = crumb.level ? levelOf(crumb.level) : 'info'
  const data = crumb.data && Object.keys(crumb.data).length > 0 ? crumb.data : undefined
  const when = crumb.timestamp
  return h(
    'tr',
    { class: `crumb lvl-${level}`, hidden },
    h(
      'td',
      { class: 'cat' },
      h('span', { class: 'cat-name' }, category),
      crumb.type &&
        crumb.category &&
        crumb.type !== crumb.category &&
        h('span', { class: 'muted small' }, crumb.type),
    ),
    h(
      'td',
      { class: 'desc' },
      crumb.message && h('div', { class: 'crumb-message' }, crumb.message),
      data &&
        h(
          'div',
          { class: 'crumb-data mono' },
          Object.entries(data).map(([key, value]) =>
            h(
              'span',
              { class: 'pair' },
              h('span', { class: 'k' }, key),
              h('span', { class: 'v' }, display(value)),
            ),
          ),
        ),
    ),
    h('td', { class: 'lvl' }, h('span', { class: `crumb-level lvl-${level}` }, level)),
    h(
      'td',
      { class: 'time nowrap', title: when === undefined ? null : formatDateTime(when) },
      when === undefined ? '' : clock(when),
      when !== undefined &&
        eventTime !== undefined &&
        h('span', { class: 'muted small offset' }, relative(when - eventTime)),
    ),
  )
}

/** `14:03:07.251` local time. */
function clock(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

/** `−1.2s`, `−3m` before the error. */
function relative(ms: number): string {
  const abs = Math.abs(ms)
  const sign = ms < 0 ? '−' : '+'
  if (abs < 1000) return `${sign}${abs}ms`
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)}s`
  if (abs < 3_600_000) return `${sign}${Math.round(abs / 60_000)}m`
  return `${sign}${Math.round(abs / 3_600_000)}h`
}
