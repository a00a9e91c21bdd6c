import {
  type Api,
  createAutoRefresh,
  debounce,
  formatNumber,
  h,
  readUrlState,
  render,
  sinceParam,
  writeUrlState,
} from '@monlight/ui-kit'
import { sparkline } from './chart.js'
import type { ErrorList, ErrorSummary, Facets, IgnoreUntil, Status } from './types.js'
import {
  ago,
  header,
  ignoredUntil,
  ignoreMenu,
  levelBadge,
  levelOf,
  messageOf,
  plural,
  statusBadge,
} from './util.js'

const PAGE_SIZE = 50

const TABS: [Status, string][] = [
  ['unresolved', 'Unresolved'],
  ['ignored', 'Ignored'],
  ['resolved', 'Resolved'],
]

const SORTS: [string, string][] = [
  ['', 'Last seen'],
  ['first_seen', 'First seen'],
  ['count', 'Events'],
]

type BulkAction = 'resolve' | 'unresolve' | 'ignore' | 'unignore'

export function showList(api: Api): void {
  const state = readUrlState({
    status: '',
    project: '',
    environment: '',
    release: '',
    source: '',
    sort: '',
    search: '',
    session_id: '',
    time: '',
    refresh: '0',
    offset: '0',
    /** Old links: `resolved=true` is the Resolved tab. */
    resolved: '',
  })
  if (!state.status && (state.resolved === 'true' || state.resolved === '1')) state.status = 'resolved'
  state.resolved = ''
  if (!TABS.some(([status]) => status === state.status)) state.status = ''
  const status = (): Status => (state.status || 'unresolved') as Status

  // ---- controls
  const tabButtons = TABS.map(([value, label]) =>
    h(
      'button',
      {
        type: 'button',
        class: 'tab',
        'data-status': value,
        'aria-pressed': String(status() === value),
        onclick: () => {
          state.status = value === 'unresolved' ? '' : value
          for (const button of tabButtons)
            button.setAttribute('aria-pressed', String(button === tabOf(value)))
          filtersChanged()
        },
      },
      label,
    ),
  )
  const tabOf = (value: Status) => tabButtons[TABS.findIndex(([s]) => s === value)]
  const select = (name: string, label: string, options: [string, string][], value: string) =>
    h(
      'select',
      { name, 'aria-label': label },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    )
  const projectSelect = select('project', 'Project', [['', 'All projects']], state.project)
  const environmentSelect = select(
    'environment',
    'Environment',
    [['', 'All environments']],
    state.environment,
  )
  const releaseSelect = select('release', 'Release', [['', 'All releases']], state.release)
  const sourceSelect = select(
    'source',
    'Source',
    [
      ['', 'All sources'],
      ['server', 'Server'],
      ['browser', 'Browser'],
    ],
    state.source,
  )
  const sortSelect = select('sort', 'Sort by', SORTS, state.sort)
  const searchInput = h('input', {
    type: 'search',
    name: 'search',
    class: 'search',
    placeholder: 'TypeError  browser.name:Chrome  release:1.2.0',
    title:
      'Words match the message or exception type; key:value terms filter by tag (quote values with spaces)',
    value: state.search,
    'aria-label': 'Search errors (text, or tag terms like browser.name:Chrome)',
    autocomplete: 'off',
    spellcheck: 'false',
  })
  const timeInput = h('input', {
    type: 'text',
    name: 'time',
    list: 'time-presets',
    placeholder: 'All time',
    value: state.time,
    'aria-label': 'Time range',
    size: 8,
    title: 'Last seen within, e.g. 30m, 1h, 24h, 7d; empty for all time',
  })
  const presets = h(
    'datalist',
    { id: 'time-presets' },
    ['1h', '24h', '7d', '30d'].map((value) => h('option', { value })),
  )
  const refreshButton = h('button', { type: 'button', onclick: () => void load() }, 'Refresh')
  const autoRefresh = createAutoRefresh(
    () => {
      // Do not wipe a selection the user is building.
      if (selected.size === 0) void load()
    },
    state.refresh,
    () => sync(),
  )

  // ---- bulk bar
  const selected = new Set<number>()
  let pageIds: number[] = []
  const selectAll = h('input', { type: 'checkbox', class: 'select-all', 'aria-label': 'Select all on page' })
  const selectedCount = h('span', { class: 'selected-count muted' })
  const bulkStatus = h('span', { class: 'bulk-status', role: 'status' })
  const bulkButton = (action: BulkAction, label: string) =>
    h('button', { type: 'button', 'data-action': action, onclick: () => void bulk(action) }, label)
  const resolveButton = bulkButton('resolve', 'Resolve')
  const unresolveButton = bulkButton('unresolve', 'Unresolve')
  const unignoreButton = bulkButton('unignore', 'Unignore')
  const bulkIgnore = ignoreMenu((until) => void bulk('ignore', until))
  // Lives in the table's header row (moved into each new table), as in Sentry's issue list.
  const selectAllLabel = h('label', null, selectAll)
  const bulkBar = h(
    'div',
    { class: 'bulk-bar', role: 'toolbar', 'aria-label': 'Bulk actions' },
    resolveButton,
    bulkIgnore,
    unresolveButton,
    unignoreButton,
    selectedCount,
  )
  const updateBulk = () => {
    const n = selected.size
    selectedCount.textContent = n === 0 ? '' : `${n} selected`
    selectAll.checked = n > 0 && n === pageIds.length
    selectAll.indeterminate = n > 0 && n < pageIds.length
    selectAll.disabled = pageIds.length === 0
    const tab = status()
    resolveButton.hidden = tab === 'resolved'
    unresolveButton.hidden = tab !== 'resolved'
    unignoreButton.hidden = tab !== 'ignored'
    bulkIgnore.hidden = tab !== 'unresolved'
    for (const button of [resolveButton, unresolveButton, unignoreButton]) button.disabled = n === 0
    bulkIgnore.classList.toggle('disabled', n === 0)
    const summary = bulkIgnore.querySelector('summary')
    if (summary) {
      summary.setAttribute('aria-disabled', String(n === 0))
      summary.tabIndex = n === 0 ? -1 : 0
    }
    if (n === 0) bulkIgnore.open = false
    for (const row of results.querySelectorAll<HTMLTableRowElement>('tr[data-id]')) {
      const on = selected.has(Number(row.dataset.id))
      row.classList.toggle('selected', on)
      const box = row.querySelector<HTMLInputElement>('input[type=checkbox]')
      if (box) box.checked = on
    }
  }
  selectAll.addEventListener('change', () => {
    if (selectAll.checked) for (const id of pageIds) selected.add(id)
    else selected.clear()
    updateBulk()
  })
  bulkIgnore.addEventListener('toggle', () => {
    if (bulkIgnore.open && selected.size === 0) bulkIgnore.open = false
  })

  async function bulk(action: BulkAction, until?: IgnoreUntil): Promise<void> {
    const ids = [...selected]
    if (ids.length === 0) return
    bulkBar.classList.add('busy')
    try {
      const result = await api.post<{ status: string; ids: number[]; not_found: number[] }>(
        'api/errors/bulk',
        {
          ids,
          action,
          ...(until && { until }),
        },
      )
      selected.clear()
      bulkStatus.textContent = `${plural(result.ids.length, 'error')} ${result.status}${
        result.not_found.length > 0 ? ` (${result.not_found.length} no longer exist)` : ''
      }.`
      await load()
    } catch (error) {
      bulkStatus.textContent = `Failed: ${messageOf(error)}`
    } finally {
      bulkBar.classList.remove('busy')
    }
  }

  // ---- page
  const banner = h('div')
  const results = h('div', { class: 'results', 'aria-live': 'polite' })
  const meta = h('span', { class: 'meta' })
  const field = (label: string, control: HTMLElement, className = '') =>
    h('label', { class: `field ${className}` }, h('span', null, label), control)

  render(
    document.body,
    header(meta, field('Last seen within', timeInput), presets, autoRefresh.element, refreshButton),
    h(
      'main',
      { class: 'list-page' },
      h(
        'div',
        { class: 'tabs' },
        h('div', { role: 'group', 'aria-label': 'Status' }, tabButtons),
        bulkStatus,
      ),
      h(
        'div',
        { class: 'toolbar' },
        field('Search', searchInput, 'grow'),
        field('Project', projectSelect),
        field('Environment', environmentSelect),
        field('Release', releaseSelect),
        field('Source', sourceSelect),
        field('Sort by', sortSelect),
      ),
      banner,
      results,
    ),
  )

  const sync = () => {
    state.project = projectSelect.value
    state.environment = environmentSelect.value
    state.release = releaseSelect.value
    state.source = sourceSelect.value
    state.sort = sortSelect.value
    state.search = searchInput.value.trim()
    state.time = timeInput.value.trim()
    state.refresh = autoRefresh.value === '0' ? '' : autoRefresh.value
    writeUrlState(state)
  }
  const filtersChanged = () => {
    state.offset = '0'
    selected.clear()
    bulkStatus.textContent = ''
    sync()
    void load()
  }
  projectSelect.addEventListener('change', () => {
    filtersChanged()
    void loadFacets()
  })
  for (const control of [environmentSelect, releaseSelect, sourceSelect, sortSelect])
    control.addEventListener('change', filtersChanged)
  const typed = debounce(filtersChanged, 300)
  for (const control of [searchInput, timeInput]) control.addEventListener('input', typed)
  searchInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') filtersChanged()
  })
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement
    if (event.key === '/' && !target.closest('input, select, textarea, [contenteditable]')) {
      event.preventDefault()
      searchInput.focus()
    }
  })

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
    results.classList.add('loading')
    try {
      const list = await api.get<ErrorList>('api/errors', {
        status: status(),
        project: state.project,
        environment: state.environment,
        release: state.release,
        source: state.source,
        sort: state.sort,
        search: state.search,
        session_id: state.session_id,
        since: sinceParam(state.time),
        limit: PAGE_SIZE,
        offset: state.offset,
      })
      if (mine !== generation) return
      pageIds = list.errors.map((error) => error.id)
      for (const id of selected) if (!pageIds.includes(id)) selected.delete(id)
      meta.textContent = `${formatNumber(list.total)} ${status()} error group${list.total === 1 ? '' : 's'}`
      render(
        results,
        list.errors.length === 0
          ? h(
              'p',
              { class: 'empty' },
              hasFilters()
                ? `No ${status()} errors match these filters.`
                : status() === 'unresolved'
                  ? 'No unresolved errors. All clear.'
                  : `No ${status()} errors.`,
            )
          : table(list.errors),
        pager(list),
      )
      updateBulk()
    } catch (error) {
      if (mine === generation)
        render(results, h('p', { class: 'error-banner', role: 'alert' }, messageOf(error)))
    } finally {
      if (mine === generation) results.classList.remove('loading')
    }
  }
  const hasFilters = () =>
    Boolean(
      state.project ||
        state.environment ||
        state.release ||
        state.source ||
        state.search ||
        state.session_id ||
        state.time,
    )

  const table = (errors: ErrorSummary[]) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'list issues' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { class: 'check' }, selectAllLabel),
            h('th', { class: 'issue-head' }, h('span', { class: 'sr-only' }, 'Issue'), bulkBar),
            h('th', { class: 'hide-narrow graph' }, 'Last 24 h'),
            h('th', { class: 'num' }, 'Events'),
            h('th', { class: 'nowrap' }, 'Last seen'),
            h('th', { class: 'hide-narrow nowrap' }, 'First seen'),
            h('th', { class: 'hide-narrow' }, 'Status'),
          ),
        ),
        h('tbody', null, errors.map(row)),
      ),
    )

  const row = (error: ErrorSummary) => {
    const href = `errors/${error.id}`
    const box = h('input', {
      type: 'checkbox',
      'aria-label': `Select ${error.exception_type}: ${error.message.slice(0, 60)}`,
    })
    box.addEventListener('change', () => {
      if (box.checked) selected.add(error.id)
      else selected.delete(error.id)
      updateBulk()
    })
    const until = error.status === 'ignored' ? ignoredUntil(error) : ''
    return h(
      'tr',
      {
        class: `clickable lvl-${levelOf(error.level)}`,
        'data-id': error.id,
        onclick: (event: Event) => {
          if ((event.target as Element).closest('a, input, label, button, summary')) return
          if (getSelection()?.toString()) return // selecting text is not a click
          location.assign(new URL(href, document.baseURI).href)
        },
      },
      h('td', { class: 'check' }, h('label', null, box)),
      h(
        'td',
        { class: 'issue' },
        h(
          'div',
          { class: 'title-line' },
          h('a', { class: 'title', href }, error.exception_type),
          h('span', { class: 'msg', title: error.message }, error.message.split('\n')[0] ?? ''),
        ),
        error.culprit && h('div', { class: 'culprit mono', title: error.culprit }, error.culprit),
        h(
          'div',
          { class: 'meta-line' },
          levelBadge(error.level),
          h('span', { class: 'project' }, error.project),
          error.last_release &&
            h(
              'span',
              { class: 'release', title: `First release ${error.first_release ?? '?'}` },
              h('span', { class: 'muted' }, 'release '),
              h('span', { class: 'mono' }, error.last_release),
            ),
          error.source === 'browser' && h('span', { class: 'badge purple' }, 'browser'),
          error.platform && error.platform !== 'other' && h('span', { class: 'muted' }, error.platform),
          until && h('span', { class: 'muted' }, `ignored ${until}`),
        ),
      ),
      h('td', { class: 'hide-narrow graph' }, sparkline(error.sparkline ?? [])),
      h(
        'td',
        { class: 'num' },
        h(
          'span',
          { class: `count ${error.count > 100 ? 'hot' : error.count > 10 ? 'warm' : ''}` },
          formatNumber(error.count),
        ),
      ),
      h('td', { class: 'nowrap' }, ago(error.last_seen)),
      h('td', { class: 'hide-narrow nowrap' }, ago(error.first_seen)),
      h('td', { class: 'hide-narrow' }, statusBadge(error)),
    )
  }

  const pager = (list: ErrorList) => {
    const offset = list.offset
    const go = (to: number) => () => {
      state.offset = String(Math.max(0, to))
      selected.clear()
      sync()
      void load().then(() => window.scrollTo({ top: 0 }))
    }
    return h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h(
        'span',
        null,
        list.total === 0
          ? 'No results'
          : `Showing ${formatNumber(offset + 1)}–${formatNumber(offset + list.errors.length)} of ${formatNumber(list.total)}`,
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

  /** Replaces a select's options (after its "All …" one), keeping the current choice even if no longer listed. */
  const fill = (control: HTMLSelectElement, values: string[], current: string) => {
    const options = new Set(values)
    if (current) options.add(current)
    const first = control.options[0]
    render(
      control,
      first ?? null,
      [...options].map((v) => h('option', { value: v, selected: v === current }, v)),
    )
  }
  async function loadFacets(): Promise<void> {
    try {
      const facets = await api.get<Facets>('api/facets', { project: state.project })
      fill(environmentSelect, facets.environments, state.environment)
      fill(releaseSelect, facets.releases, state.release)
    } catch {
      // The selects keep their current choice; the list still loads.
    }
  }

  void api
    .get<{ projects: string[] }>('api/projects')
    .then(({ projects }) => fill(projectSelect, projects, state.project))
    .catch(() => {})
  void loadFacets()
  updateBulk()
  sync()
  void load()
}
