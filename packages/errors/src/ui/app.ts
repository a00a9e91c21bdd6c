import {
  type Api,
  ApiError,
  createApi,
  createAutoRefresh,
  debounce,
  formatDateTime,
  formatNumber,
  h,
  readUrlState,
  render,
  sinceIso,
  timeAgo,
  writeUrlState,
} from '@monlight/ui-kit'
import './app.css'

interface ErrorSummary {
  id: number
  project: string
  exception_type: string
  message: string
  count: number
  first_seen: string
  last_seen: string
  resolved: boolean
  source: 'browser' | 'server'
}

interface Occurrence {
  id: number
  timestamp: string
  request_url: string | null
  request_method: string | null
  request_headers: unknown
  user_id: string | null
  extra: unknown
  traceback: string
  environment: string | null
}

interface ErrorDetail extends ErrorSummary {
  traceback: string
  resolved_at: string | null
  occurrences: Occurrence[]
}

const PAGE_SIZE = 50
const api = createApi()

/** The path below the module root (the page's `<base>`): '' for the list, 'errors/12' for a detail page. */
const route = location.pathname.slice(new URL(document.baseURI).pathname.length)
const detailMatch = /^errors\/(\d+)$/.exec(route)
if (detailMatch) void showDetail(api, Number(detailMatch[1]))
else showList(api)

function header(...tools: (Node | string)[]): HTMLElement {
  return h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: './' }, 'Error Tracker'),
    h('span', { class: 'spacer' }),
    ...tools,
  )
}

// ---------------------------------------------------------------- list

function showList(api: Api): void {
  const state = readUrlState({
    project: '',
    environment: '',
    source: '',
    resolved: '',
    search: '',
    session_id: '',
    time: '',
    refresh: '0',
    offset: '0',
  })

  const projectSelect = h(
    'select',
    { 'aria-label': 'Project', name: 'project' },
    h('option', { value: '' }, 'All projects'),
  )
  const environmentInput = h('input', {
    type: 'text',
    name: 'environment',
    placeholder: 'any',
    value: state.environment,
    'aria-label': 'Environment',
    size: 12,
  })
  const statusSelect = h(
    'select',
    { 'aria-label': 'Status', name: 'resolved' },
    h('option', { value: '', selected: state.resolved !== 'true' }, 'Unresolved'),
    h('option', { value: 'true', selected: state.resolved === 'true' }, 'Resolved'),
  )
  const sourceSelect = h(
    'select',
    { 'aria-label': 'Source', name: 'source' },
    ['', 'server', 'browser'].map((value) =>
      h('option', { value, selected: state.source === value }, value ? capitalize(value) : 'All sources'),
    ),
  )
  const searchInput = h('input', {
    type: 'search',
    name: 'search',
    placeholder: 'Search message or exception type',
    value: state.search,
    'aria-label': 'Search',
  })
  const timeInput = h('input', {
    type: 'text',
    name: 'time',
    list: 'time-presets',
    placeholder: 'All time',
    value: state.time,
    'aria-label': 'Time range',
    size: 8,
    title: 'e.g. 30m, 1h, 24h, 7d; empty for all time',
  })
  const presets = h(
    'datalist',
    { id: 'time-presets' },
    ['1h', '24h', '7d', '30d'].map((value) => h('option', { value })),
  )
  const refreshButton = h('button', { type: 'button', onclick: () => void load() }, 'Refresh')
  const autoRefresh = createAutoRefresh(
    () => void load(),
    state.refresh,
    () => sync(),
  )
  const banner = h('div')
  const results = h('div', { 'aria-live': 'polite' })
  const meta = h('span', { class: 'meta' })

  const field = (label: string, control: HTMLElement) =>
    h('label', { class: 'field' }, h('span', null, label), control)

  render(
    document.body,
    header(meta, field('Time range', timeInput), presets, autoRefresh.element, refreshButton),
    h(
      'main',
      null,
      h(
        'div',
        { class: 'toolbar' },
        field('Project', projectSelect),
        field('Environment', environmentInput),
        field('Status', statusSelect),
        field('Source', sourceSelect),
        field('Search', searchInput),
      ),
      banner,
      results,
    ),
  )

  const sync = () => {
    state.project = projectSelect.value
    state.environment = environmentInput.value.trim()
    state.resolved = statusSelect.value
    state.source = sourceSelect.value
    state.search = searchInput.value.trim()
    state.time = timeInput.value.trim()
    state.refresh = autoRefresh.value === '0' ? '' : autoRefresh.value
    writeUrlState(state)
  }
  const filtersChanged = () => {
    state.offset = '0'
    sync()
    void load()
  }
  for (const control of [projectSelect, statusSelect, sourceSelect])
    control.addEventListener('change', filtersChanged)
  const typed = debounce(filtersChanged, 300)
  for (const control of [environmentInput, searchInput, timeInput]) control.addEventListener('input', typed)

  let generation = 0
  async function load(): Promise<void> {
    const mine = ++generation
    render(
      banner,
      state.session_id &&
        h(
          'div',
          { class: 'notice' },
          h('span', null, 'Showing errors from session: ', h('code', null, state.session_id)),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                state.session_id = ''
                filtersChanged()
              },
            },
            'Clear filter',
          ),
        ),
    )
    const since = sinceIso(state.time)
    try {
      const list = await api.get<{ errors: ErrorSummary[]; total: number; limit: number; offset: number }>(
        'api/errors',
        {
          project: state.project,
          environment: state.environment,
          source: state.source,
          resolved: state.resolved,
          search: state.search,
          session_id: state.session_id,
          since,
          limit: PAGE_SIZE,
          offset: state.offset,
        },
      )
      if (mine !== generation) return
      meta.textContent = `${formatNumber(list.total)} ${state.resolved === 'true' ? 'resolved' : 'unresolved'} error group${list.total === 1 ? '' : 's'}`
      render(
        results,
        list.errors.length === 0
          ? h('p', { class: 'empty' }, 'No errors match these filters.')
          : table(list.errors),
        pager(list),
      )
    } catch (error) {
      if (mine === generation)
        render(results, h('p', { class: 'error-banner', role: 'alert' }, messageOf(error)))
    }
  }

  const table = (errors: ErrorSummary[]) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'list' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Exception'),
            h('th', null, 'Message'),
            h('th', { class: 'hide-narrow' }, 'Project'),
            h('th', null, 'Count'),
            h('th', { class: 'hide-narrow' }, 'First seen'),
            h('th', null, 'Last seen'),
            h('th', { class: 'hide-narrow' }, 'Source'),
          ),
        ),
        h(
          'tbody',
          null,
          errors.map((error) => {
            const href = `errors/${error.id}`
            return h(
              'tr',
              {
                class: 'clickable',
                'data-id': error.id,
                onclick: () => location.assign(new URL(href, document.baseURI).href),
              },
              h('td', { class: 'exception' }, h('a', { href }, error.exception_type)),
              h(
                'td',
                null,
                h('div', { class: 'truncate', title: error.message }, truncate(error.message, 80)),
              ),
              h('td', { class: 'hide-narrow' }, h('span', { class: 'badge blue' }, error.project)),
              h(
                'td',
                null,
                h(
                  'span',
                  { class: `count ${error.count > 100 ? 'hot' : error.count > 10 ? 'warm' : ''}` },
                  formatNumber(error.count),
                ),
              ),
              h(
                'td',
                { class: 'hide-narrow nowrap', title: formatDateTime(error.first_seen) },
                timeAgo(error.first_seen),
              ),
              h('td', { class: 'nowrap', title: formatDateTime(error.last_seen) }, timeAgo(error.last_seen)),
              h(
                'td',
                { class: 'hide-narrow' },
                h('span', { class: `badge ${error.source === 'browser' ? 'purple' : 'gray'}` }, error.source),
              ),
            )
          }),
        ),
      ),
    )

  const pager = (list: { total: number; offset: number; errors: ErrorSummary[] }) => {
    const offset = list.offset
    const go = (to: number) => () => {
      state.offset = String(Math.max(0, to))
      sync()
      void load()
    }
    return h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h(
        'span',
        null,
        list.total === 0
          ? 'No results'
          : `Showing ${offset + 1}–${offset + list.errors.length} of ${formatNumber(list.total)}`,
      ),
      h('button', { type: 'button', disabled: offset === 0, onclick: go(offset - PAGE_SIZE) }, 'Previous'),
      h(
        'button',
        {
          type: 'button',
          disabled: offset + list.errors.length >= list.total,
          onclick: go(offset + PAGE_SIZE),
        },
        'Next',
      ),
    )
  }

  void api
    .get<{ projects: string[] }>('api/projects')
    .then(({ projects }) => {
      const options = new Set(projects)
      if (state.project) options.add(state.project)
      for (const project of options)
        projectSelect.append(h('option', { value: project, selected: project === state.project }, project))
    })
    .catch(() => {})
  void load()
}

// ---------------------------------------------------------------- detail

async function showDetail(api: Api, id: number): Promise<void> {
  const main = h(
    'main',
    null,
    h('a', { class: 'back', href: './' }, '← All errors'),
    h('p', { class: 'muted' }, 'Loading…'),
  )
  render(document.body, header(), main)
  let error: ErrorDetail
  try {
    error = await api.get<ErrorDetail>(`api/errors/${id}`)
  } catch (failure) {
    render(
      main,
      h('a', { class: 'back', href: './' }, '← All errors'),
      h(
        'p',
        { class: 'error-banner', role: 'alert' },
        failure instanceof ApiError && failure.status === 404 ? 'Error not found' : messageOf(failure),
      ),
    )
    return
  }
  document.title = `${error.exception_type}: ${truncate(error.message, 80)} - Error Tracker`

  const toggle = h(
    'button',
    {
      type: 'button',
      class: error.resolved ? '' : 'primary',
      onclick: async () => {
        toggle.disabled = true
        try {
          await api.post(`api/errors/${id}/${error.resolved ? 'unresolve' : 'resolve'}`)
          await showDetail(api, id)
        } catch (failure) {
          toggle.disabled = false
          alert(messageOf(failure))
        }
      },
    },
    error.resolved ? 'Reopen' : 'Mark as resolved',
  )

  render(
    main,
    h('a', { class: 'back', href: './' }, '← All errors'),
    h(
      'div',
      { class: 'detail-head' },
      h('h1', null, error.exception_type),
      h('div', { class: 'message' }, error.message),
      h(
        'div',
        { class: 'facts' },
        h('span', { class: 'badge blue' }, error.project),
        h(
          'span',
          { class: `badge ${error.resolved ? 'green' : 'red'}` },
          error.resolved ? 'Resolved' : 'Unresolved',
        ),
        h('span', { class: `badge ${error.source === 'browser' ? 'purple' : 'gray'}` }, error.source),
        h('span', null, `${formatNumber(error.count)} occurrence${error.count === 1 ? '' : 's'}`),
        h('span', { title: formatDateTime(error.first_seen) }, `First seen ${timeAgo(error.first_seen)}`),
        h('span', { title: formatDateTime(error.last_seen) }, `Last seen ${timeAgo(error.last_seen)}`),
        error.resolved_at &&
          h('span', { title: formatDateTime(error.resolved_at) }, `Resolved ${timeAgo(error.resolved_at)}`),
        toggle,
      ),
    ),
    h(
      'section',
      null,
      h('h2', null, 'Traceback'),
      h('pre', { class: 'traceback' }, error.traceback || '(empty)'),
    ),
    h(
      'section',
      null,
      h('h2', null, 'Recent occurrences'),
      error.occurrences.length === 0
        ? h('p', { class: 'empty' }, 'No occurrences kept.')
        : error.occurrences.map(occurrenceCard),
    ),
  )
}

function occurrenceCard(occurrence: Occurrence): HTMLElement {
  const extra = asObject(occurrence.extra)
  const browser = occurrence.request_method === 'BROWSER'
  const sessionId = typeof extra?.session_id === 'string' ? extra.session_id : undefined
  return h(
    'article',
    { class: 'card occurrence' },
    h(
      'div',
      { class: 'line' },
      h(
        'span',
        { class: 'nowrap', title: formatDateTime(occurrence.timestamp) },
        formatDateTime(occurrence.timestamp),
      ),
      occurrence.request_method &&
        h('span', { class: `badge ${methodColor(occurrence.request_method)}` }, occurrence.request_method),
      occurrence.request_url && h('span', { class: 'url mono' }, occurrence.request_url),
      occurrence.user_id && h('span', { class: 'muted' }, `user: ${occurrence.user_id}`),
      occurrence.environment && h('span', { class: 'badge gray' }, occurrence.environment),
    ),
    browser &&
      h(
        'div',
        { class: 'browser-strip' },
        typeof extra?.page_url === 'string' && h('span', null, `page: ${extra.page_url}`),
        typeof extra?.user_agent === 'string' && h('span', null, `agent: ${extra.user_agent}`),
        sessionId &&
          h('a', { href: `./?session_id=${encodeURIComponent(sessionId)}` }, `session: ${sessionId}`),
      ),
    h('details', null, h('summary', null, 'Traceback'), h('pre', null, occurrence.traceback || '(empty)')),
    occurrence.request_headers != null &&
      h(
        'details',
        null,
        h('summary', null, 'Request headers'),
        h('pre', null, pretty(occurrence.request_headers)),
      ),
    occurrence.extra != null &&
      h('details', null, h('summary', null, 'Extra context'), h('pre', null, pretty(occurrence.extra))),
  )
}

// ---------------------------------------------------------------- helpers

function methodColor(method: string): string {
  if (method === 'BROWSER') return 'purple'
  if (method === 'GET') return 'blue'
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') return 'green'
  if (method === 'DELETE') return 'red'
  return 'gray'
}

/** `extra` may arrive as an object or as JSON text. */
function asObject(value: unknown): Record<string, unknown> | undefined {
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

function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}

function truncate(text: string, max: number): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
