import { h } from './dom.js'

const CHOICES: [label: string, ms: number][] = [
  ['Off', 0],
  ['5 s', 5_000],
  ['30 s', 30_000],
  ['1 min', 60_000],
  ['5 min', 300_000],
]

export interface AutoRefresh {
  /** The labelled `<select>` to put in the toolbar. */
  readonly element: HTMLElement
  /** Current interval in ms (0 = off), for the URL state. */
  readonly value: string
  /** Pauses refreshing (e.g. during live tail) without changing the choice. */
  pause(paused: boolean): void
}

/** An "Auto-refresh" select that calls `refresh` on the chosen interval and shows a live dot while active. */
export function createAutoRefresh(refresh: () => void, initial = '0', onChange?: () => void): AutoRefresh {
  let timer: ReturnType<typeof setInterval> | undefined
  let paused = false
  const dot = h('span', { class: 'live-dot', 'aria-hidden': 'true' })
  const select = h(
    'select',
    { 'aria-label': 'Auto-refresh' },
    CHOICES.map(([label, ms]) => h('option', { value: String(ms), selected: String(ms) === initial }, label)),
  )
  const apply = () => {
    clearInterval(timer)
    const ms = Number(select.value)
    const active = ms > 0 && !paused
    dot.hidden = !active
    if (active) timer = setInterval(refresh, ms)
  }
  select.addEventListener('change', () => {
    apply()
    onChange?.()
  })
  apply()
  return {
    element: h('label', { class: 'field' }, h('span', null, 'Auto-refresh'), select, dot),
    get value() {
      return select.value
    },
    pause(value) {
      paused = value
      apply()
    },
  }
}
