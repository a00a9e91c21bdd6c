import {
  ApiError,
  createApi,
  createAutoRefresh,
  debounce,
  formatDateTime,
  formatNumber,
  h,
  moduleNav,
  readUrlState,
  render,
  sinceParam,
  writeUrlState,
} from '@monlight/ui-kit'
import { fieldsTable, inlineFields } from './fields.js'
import { highlighted, prettyJson, searchWords } from './highlight.js'
import './logs.css'

interface LogEntry {
  id: number
  timestamp: string
  container: string
  stream: string
  level: string
  message: string
  attributes?: Record<string, unknown>
}
interface LogPage {
  logs: LogEntry[]
  total: number
  limit: number
  offset: number
  total_capped?: boolean
}

const PAGE_SIZE = 100
const TAIL_KEEP = 500
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']
const LEVEL_COLOURS: Record<string, string> = {
  DEBUG: 'gray',
  INFO: 'blue',
  WARNING: 'yellow',
  ERROR: 'red',
  CRITICAL: 'purple',
}

const api = createApi()
const state = readUrlState({ search: '', container: '', level: '', time: '', refresh: '0', offset: '0' })
// `q=` is the API's other name for `search=`: a link written for one works in the other.
state.search ||= new URLSearchParams(location.search).get('q') ?? ''

const field = (label: string, control: HTMLElement) =>
  h('label', { class: 'field' }, h('span', null, label), control)

const searchInput = h('input', {
  type: 'search',
  name: 'search',
  value: state.search,
  placeholder: 'words, "a phrase", a OR b, -debug, attr.user_id:42',
  'aria-label': 'Search',
  size: 40,
})
const containerSelect = h('select', { name: 'container', 'aria-label': 'Container' })
const levelSelect = h(
  'select',
  { name: 'level', 'aria-label': 'Level' },
  h('option', { value: '' }, 'All levels'),
  h(
    'optgroup',
    { label: 'Exactly' },
    LEVELS.map((l) => h('option', { value: l, selected: state.level === l }, l)),
  ),
  h(
    'optgroup',
    { label: 'And above' },
    LEVELS.slice(0, 4).map((l) =>
      h('option', { value: `>=${l}`, selected: state.level === `>=${l}` }, `≥ ${l}`),
    ),
  ),
)
const timeInput = h('input', {
  type: 'text',
  name: 'time',
  list: 'time-presets',
  value: state.time,
  placeholder: 'All time',
  'aria-label': 'Time range',
  title: 'e.g. 30s, 5m, 1h, 24h, 7d; empty for all time',
  size: 8,
})
const presets = h(
  'datalist',
  { id: 'time-presets' },
  ['30s', '5m', '1h', '24h', '7d', '30d'].map((v) => h('option', { value: v })),
)
const tailButton = h('button', { type: 'button', 'aria-pressed': 'false', class: 'tail-toggle' }, 'Live tail')
const refreshButton = h('button', { type: 'button' }, 'Refresh')
const indexed = h('span', { class: 'meta' })
const banner = h('div', { role: 'alert' })
const status = h('div', { class: 'muted tail-status', 'aria-live': 'polite' })
const list = h('ol', { class: 'log-list', 'aria-label': 'Log entries' })
const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' })
let offset = Number(state.offset) || 0
let tail: EventSource | undefined
let tailCount = 0

const autoRefresh = createAutoRefresh(
  () => void load(),
  state.refresh,
  () => sync(),
)

render(
  document.body,
  h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: './' }, 'Log Viewer'),
    moduleNav('logs'),
    h('span', { class: 'spacer' }),
    indexed,
    field('Time range', timeInput),
    presets,
    autoRefresh.element,
    tailButton,
    refreshButton,
  ),
  h(
    'main',
    { class: 'logs-ui' },
    h(
      'div',
      { class: 'toolbar' },
      field('Search', searchInput),
      field('Container', containerSelect),
      field('Level', levelSelect),
    ),
    banner,
    status,
    list,
    pager,
  ),
)

function sync(): void {
  writeUrlState({
    search: searchInput.value.trim(),
    container: containerSelect.value,
    level: levelSelect.value,
    time: timeInput.value.trim(),
    refresh: autoRefresh.value === '0' ? '' : autoRefresh.value,
    offset: offset ? String(offset) : '',
  })
}

function filters() {
  return { search: searchInput.value.trim(), container: containerSelect.value, level: levelSelect.value }
}

function showError(error: unknown): void {
  const message =
    error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error)
  render(banner, h('div', { class: 'error-banner' }, message))
}

function levelBadge(level: string): HTMLElement {
  return h('span', { class: `badge level ${LEVEL_COLOURS[level] ?? 'gray'}` }, level)
}

function row(entry: LogEntry): HTMLElement {
  const [first = '', ...rest] = entry.message.split('\n')
  const words = searchWords(searchInput.value)
  const details = h(
    'div',
    { class: 'log-details', hidden: true },
    h(
      'dl',
      null,
      h('dt', null, 'ID'),
      h('dd', null, String(entry.id)),
      h('dt', null, 'Stream'),
      h('dd', null, entry.stream),
      h('dt', null, 'Container'),
      h('dd', null, entry.container),
      h('dt', null, 'Timestamp'),
      h('dd', { class: 'mono' }, entry.timestamp),
    ),
    h('pre', { class: 'mono' }, highlighted(prettyJson(entry.message) ?? entry.message, words)),
    entry.attributes ? fieldsTable(entry.attributes, addToSearch) : null,
  )
  const summary = h(
    'button',
    {
      type: 'button',
      class: 'log-summary',
      'aria-expanded': 'false',
      onclick: () => {
        details.hidden = !details.hidden
        summary.setAttribute('aria-expanded', String(!details.hidden))
      },
    },
    h(
      'time',
      { class: 'mono muted', datetime: entry.timestamp, title: entry.timestamp },
      formatDateTime(entry.timestamp),
    ),
    levelBadge(entry.level),
    h('span', { class: 'container' }, entry.container),
    h('span', { class: 'mono message' }, highlighted(first, words)),
    entry.attributes
      ? h('span', { class: 'mono muted inline-fields' }, inlineFields(entry.attributes))
      : null,
    rest.length > 0 ? h('span', { class: 'badge gray more' }, `+${rest.length} lines`) : null,
  )
  return h(
    'li',
    { class: `log-row level-${entry.level.toLowerCase()}`, 'data-timestamp': entry.timestamp },
    summary,
    details,
  )
}

async function loadContainers(): Promise<void> {
  const selected = containerSelect.value || state.container
  const { containers } = await api.get<{ containers: { name: string; log_count: number }[] }>(
    'api/containers',
  )
  render(
    containerSelect,
    h('option', { value: '' }, 'All containers'),
    containers.map((c) =>
      h(
        'option',
        { value: c.name, selected: c.name === selected },
        `${c.name} (${formatNumber(c.log_count)})`,
      ),
    ),
  )
  const stats = await api.get<{ total_logs: number }>('api/stats')
  indexed.textContent = `${formatNumber(stats.total_logs)} logs indexed`
}

async function load(): Promise<void> {
  if (tail) return
  sync()
  try {
    const since = sinceParam(timeInput.value)
    const page = await api.get<LogPage>('api/logs', { ...filters(), since, limit: PAGE_SIZE, offset })
    render(banner)
    render(
      list,
      page.logs.length ? page.logs.map(row) : h('li', { class: 'muted empty' }, 'No log entries match.'),
    )
    const last = offset + page.logs.length
    const total = `${formatNumber(page.total)}${page.total_capped ? '+' : ''}`
    render(
      pager,
      h('span', { class: 'muted' }, page.logs.length ? `Showing ${offset + 1}–${last} of ${total}` : ''),
      h(
        'button',
        { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE_SIZE)) },
        'Prev',
      ),
      h(
        'button',
        { type: 'button', disabled: last >= page.total && !page.total_capped, onclick: () => go(last) },
        'Next',
      ),
    )
    void loadContainers().catch(showError)
  } catch (error) {
    showError(error)
  }
}

function go(next: number): void {
  offset = next
  void load()
}

function startTail(): void {
  const { container, level } = filters()
  tail = new EventSource(api.streamUrl('api/logs/tail', { container, level }))
  tailCount = 0
  // The page stays as context; new entries join it in time order (a late one is not put on top).
  render(pager)
  autoRefresh.pause(true)
  tailButton.setAttribute('aria-pressed', 'true')
  tailButton.classList.add('primary')
  status.textContent = 'Live tail active · 0 new entries'
  tail.addEventListener('log', (event) => {
    const entry = JSON.parse((event as MessageEvent<string>).data) as LogEntry
    if (list.querySelector('.empty')) render(list)
    const later = [...list.children].find(
      (child) => ((child as HTMLElement).dataset.timestamp ?? '') <= entry.timestamp,
    )
    list.insertBefore(row(entry), later ?? null)
    while (list.children.length > TAIL_KEEP) list.lastElementChild?.remove()
    status.textContent = `Live tail active · ${++tailCount} new entries`
  })
  tail.addEventListener('close', () => stopTail())
  tail.addEventListener('error', () => stopTail())
}

function stopTail(): void {
  tail?.close()
  tail = undefined
  tailButton.setAttribute('aria-pressed', 'false')
  tailButton.classList.remove('primary')
  status.textContent = ''
  autoRefresh.pause(false)
  void load()
}

/** A field's "Filter" button: its term joins the search (once). */
function addToSearch(term: string): void {
  const words = searchInput.value.trim()
  if (words.split(/\s+/).includes(term)) return
  searchInput.value = words ? `${words} ${term}` : term
  reload()
}

const reload = () => {
  offset = 0
  if (tail) {
    stopTail()
    startTail()
  } else void load()
}
searchInput.addEventListener('input', debounce(reload, 300))
for (const control of [containerSelect, levelSelect]) control.addEventListener('change', reload)
timeInput.addEventListener('change', reload)
tailButton.addEventListener('click', () => (tail ? stopTail() : startTail()))
refreshButton.addEventListener('click', () => void load())
window.addEventListener('popstate', () => location.reload())

void loadContainers()
  .catch(showError)
  .then(() => load())
