import './app.css'
import {
  ApiError,
  createApi,
  createAutoRefresh,
  debounce,
  formatNumber,
  h,
  moduleNav,
  readUrlState,
  render,
  writeUrlState,
} from '@monlight/ui-kit'
import { formatUnit, type Line, lineChart, unitOf } from './chart.js'

interface Bucket {
  bucket: string
  count: number
  avg: number
  last: number
  rate?: number
  p50: number | null
  p95: number | null
  p99: number | null
}
interface MetricQuery {
  name: string
  type: 'counter' | 'gauge' | 'histogram' | null
  data: Bucket[]
  series?: { labels: Record<string, string>; data: Bucket[] }[]
}
interface Vital {
  avg: number | null
  p75: number | null
  count: number
  rating: string
}
interface Dashboard {
  summary: { total_datapoints: number; distinct_metrics: number }
  top_metrics: { name: string; type: string; count: number; total: number }[]
  http: {
    requests: number
    error_rate: number | null
    p95: number | null
    timeseries: {
      bucket: string
      request_rate: number
      error_rate: number | null
      p50: number | null
      p95: number | null
      p99: number | null
    }[]
  }
  web_vitals?: {
    summary: Record<string, Vital>
    timeseries: { bucket: string; lcp: number | null; inp: number | null; cls: number | null }[]
    by_page: {
      page: string
      lcp: number | null
      inp: number | null
      cls: number | null
      page_views: number
    }[]
  }
}

const api = createApi()
const state = readUrlState({
  view: 'dashboard',
  project: '',
  period: '24h',
  resolution: 'auto',
  metric: '',
  labels: '',
  group_by: '',
  refresh: '0',
})
const PERIODS = ['15m', '1h', '6h', '24h', '7d', '30d']
const TYPE_BADGE: Record<string, string> = { counter: 'blue', gauge: 'green', histogram: 'purple' }
/** Unit and thresholds of each Web Vital, for cards and the page table. */
const VITALS: Record<string, { title: string; unit: string; good: number; poor: number }> = {
  lcp: { title: 'LCP', unit: ' ms', good: 2500, poor: 4000 },
  inp: { title: 'INP', unit: ' ms', good: 200, poor: 500 },
  cls: { title: 'CLS', unit: '', good: 0.1, poor: 0.25 },
  fcp: { title: 'FCP', unit: ' ms', good: 1800, poor: 3000 },
  ttfb: { title: 'TTFB', unit: ' ms', good: 800, poor: 1800 },
}

const content = h('div', { id: 'content' })
const status = h('span', { class: 'meta', role: 'status' })
const projectSelect = h(
  'select',
  { 'aria-label': 'Project', name: 'project' },
  h('option', { value: '' }, 'All projects'),
)
const periodInput = h('input', {
  name: 'period',
  value: PERIODS.includes(state.period) ? '' : state.period,
  placeholder: 'e.g. 2h',
  size: 6,
  'aria-label': 'Custom period',
  title: 'Any period: a number and m, h or d (90m, 2h, 3d)',
})
/** One button per common period, as every dashboard has; the input beside them takes any other. */
const periodPresets = h(
  'div',
  { class: 'segmented', role: 'group', 'aria-label': 'Period' },
  PERIODS.map((period) =>
    h(
      'button',
      {
        type: 'button',
        value: period,
        onclick: () => {
          periodInput.value = ''
          state.period = period
          void load()
        },
      },
      period,
    ),
  ),
)
const refresh = createAutoRefresh(
  () => void load(),
  state.refresh,
  () => save(),
)

function save(): void {
  state.project = projectSelect.value
  state.period = periodInput.value.trim() || state.period || '24h'
  for (const button of periodPresets.querySelectorAll('button'))
    button.setAttribute('aria-pressed', String(button.value === state.period))
  state.refresh = refresh.value === '0' ? '' : refresh.value
  writeUrlState({
    ...state,
    period: state.period === '24h' ? '' : state.period,
    view: state.view === 'dashboard' ? '' : state.view,
    resolution: state.resolution === 'auto' ? '' : state.resolution,
  })
}

function tab(view: string, label: string): HTMLElement {
  return h(
    'a',
    {
      href: `?view=${view}`,
      'aria-current': state.view === view ? 'page' : null,
      onclick: (event: Event) => {
        event.preventDefault()
        state.view = view
        save()
        renderShell()
        void load()
      },
    },
    label,
  )
}

function renderShell(): void {
  render(
    document.body,
    h(
      'header',
      { class: 'app-header' },
      h('a', { class: 'brand', href: './' }, 'Metrics Collector'),
      moduleNav('metrics'),
      h(
        'nav',
        { class: 'tabs', 'aria-label': 'Views' },
        tab('dashboard', 'Dashboard'),
        tab('explorer', 'Explorer'),
      ),
      h('span', { class: 'spacer' }),
      status,
    ),
    h(
      'main',
      null,
      h(
        'div',
        { class: 'toolbar' },
        h('label', { class: 'field' }, h('span', null, 'Project'), projectSelect),
        h(
          'div',
          { class: 'field' },
          h('span', null, 'Period'),
          h('div', { class: 'periods' }, periodPresets, periodInput),
        ),
        refresh.element,
        h('button', { type: 'button', onclick: () => void load() }, 'Refresh'),
      ),
      content,
    ),
  )
}

async function load(): Promise<void> {
  save()
  status.textContent = 'Loading…'
  try {
    if (state.view === 'explorer') await loadExplorer()
    else await loadDashboard()
    status.textContent = `Updated ${new Date().toLocaleTimeString()}`
  } catch (error) {
    status.textContent = ''
    render(
      content,
      h(
        'div',
        { class: 'error-banner', role: 'alert' },
        error instanceof ApiError ? error.detail : String(error),
      ),
    )
  }
}

function stat(label: string, value: string): HTMLElement {
  return h(
    'div',
    { class: 'card stat' },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
  )
}

const percent = (value: number | null) => (value === null ? '–' : `${+(value * 100).toFixed(2)} %`)
const seconds = (value: number | null) => (value === null ? '–' : formatUnit(value, 's'))

async function loadDashboard(): Promise<void> {
  const [data, health] = await Promise.all([
    api.get<Dashboard>('api/dashboard', { period: state.period, project: state.project }),
    fetch(new URL('health', document.baseURI)).then(
      (r) => r.ok,
      () => false,
    ),
  ])
  const http = data.http
  const times = http.timeseries.map((p) => p.bucket)
  render(
    content,
    h(
      'div',
      { class: 'cards' },
      stat('Total datapoints', formatNumber(data.summary.total_datapoints)),
      stat('Distinct metrics', formatNumber(data.summary.distinct_metrics)),
      stat('Requests', formatNumber(http.requests)),
      stat('Error rate', percent(http.error_rate)),
      stat('Latency p95', seconds(http.p95)),
      stat('Status', health ? 'OK' : 'Error'),
    ),
    h(
      'section',
      { 'aria-label': 'HTTP' },
      h('h2', null, 'HTTP'),
      h(
        'div',
        { class: 'grid' },
        lineChart(
          'Request rate',
          times,
          [{ label: 'requests', color: '--blue', values: http.timeseries.map((p) => p.request_rate) }],
          '/s',
        ),
        lineChart('Latency', times, percentiles(http.timeseries.map((p) => [p.p50, p.p95, p.p99])), 's'),
        lineChart(
          'Error rate (5xx)',
          times,
          [
            {
              label: '5xx',
              color: '--red',
              values: http.timeseries.map((p) => (p.error_rate === null ? null : p.error_rate * 100)),
            },
          ],
          '%',
        ),
      ),
    ),
    data.web_vitals ? webVitals(data.web_vitals) : null,
    h('section', { 'aria-label': 'Top metrics' }, h('h2', null, 'Top metrics'), topMetrics(data.top_metrics)),
  )
}

function percentiles(rows: (number | null)[][]): Line[] {
  return [
    { label: 'p50', color: '--blue', values: rows.map((r) => r[0]!) },
    { label: 'p95', color: '--orange', values: rows.map((r) => r[1]!) },
    { label: 'p99', color: '--red', values: rows.map((r) => r[2]!) },
  ]
}

function vitalText(key: string, value: number | null): string {
  if (value === null) return '–'
  return key === 'cls' ? value.toFixed(3) : `${Math.round(value)}${VITALS[key]!.unit}`
}

function ratingOf(key: string, value: number | null): string {
  const vital = VITALS[key]!
  return value === null
    ? 'unknown'
    : value < vital.good
      ? 'good'
      : value < vital.poor
        ? 'needs-improvement'
        : 'poor'
}

function webVitals(vitals: NonNullable<Dashboard['web_vitals']>): HTMLElement {
  const times = vitals.timeseries.map((p) => p.bucket)
  return h(
    'section',
    { 'aria-label': 'Web Vitals' },
    h('h2', null, 'Web Vitals (p75)'),
    h(
      'div',
      { class: 'cards' },
      Object.entries(vitals.summary).map(([key, vital]) =>
        h(
          'div',
          { class: `card stat vital ${vital.rating}`, 'data-vital': key },
          h('div', { class: 'label' }, VITALS[key]?.title ?? key.toUpperCase()),
          h('div', { class: 'value' }, vitalText(key, vital.p75)),
          h('div', { class: 'rating' }, vital.rating.replace('-', ' ')),
          h('div', { class: 'muted' }, `${formatNumber(vital.count)} samples`),
        ),
      ),
    ),
    h(
      'div',
      { class: 'grid' },
      lineChart('Web Vitals trend (p75)', times, [
        { label: 'LCP ms', color: '--blue', values: vitals.timeseries.map((p) => p.lcp) },
        { label: 'INP ms', color: '--purple', values: vitals.timeseries.map((p) => p.inp) },
        {
          label: 'CLS ×1000',
          color: '--orange',
          values: vitals.timeseries.map((p) => (p.cls === null ? null : p.cls * 1000)),
        },
      ]),
      h(
        'div',
        { class: 'card' },
        h('h3', null, 'Page performance'),
        table(
          ['Page', 'LCP', 'INP', 'CLS', 'Views'],
          vitals.by_page.map((page) => [
            h('td', { class: 'mono truncate' }, page.page),
            (['lcp', 'inp', 'cls'] as const).map((key) =>
              h('td', { class: ratingOf(key, page[key]) }, vitalText(key, page[key])),
            ),
            h('td', null, formatNumber(page.page_views)),
          ]),
        ),
      ),
    ),
  )
}

/** A `table.list` with a header row and one row of cells per entry. */
function table(headers: string[], rows: (HTMLElement | HTMLElement[])[][], className = 'list'): HTMLElement {
  return h(
    'table',
    { class: className },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((c) => h('th', null, c)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((cells) => h('tr', null, cells)),
    ),
  )
}

function topMetrics(rows: Dashboard['top_metrics']): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'notice' }, 'No metrics in this period yet.')
  return table(
    ['Name', 'Type', 'Count', 'Total'],
    rows.map((row) => [
      h(
        'td',
        { class: 'mono' },
        h('a', { href: `?view=explorer&metric=${encodeURIComponent(row.name)}` }, row.name),
      ),
      h('td', null, h('span', { class: `badge ${TYPE_BADGE[row.type] ?? 'gray'}` }, row.type)),
      h('td', null, formatNumber(row.count)),
      h('td', null, formatNumber(Number(row.total.toFixed(2)))),
    ]),
    'list card',
  )
}

/* Explorer: pick a metric, filter by labels, chart it. */

async function loadExplorer(): Promise<void> {
  const { metrics } = await api.get<{ metrics: { name: string; type: string }[] }>('api/metrics/names', {
    project: state.project,
  })
  if (!state.metric && metrics[0]) state.metric = metrics[0].name
  const search = h('input', { type: 'search', placeholder: 'Search metrics', 'aria-label': 'Search metrics' })
  const list = h('ul', { role: 'list' })
  const showList = () => {
    const term = search.value.trim().toLowerCase()
    render(
      list,
      metrics
        .filter((m) => m.name.toLowerCase().includes(term))
        .map((m) =>
          h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                'aria-pressed': String(m.name === state.metric),
                title: m.name,
                onclick: () => {
                  state.metric = m.name
                  state.labels = ''
                  state.group_by = ''
                  void load()
                },
              },
              h('span', { class: 'mono name' }, breakable(m.name)),
              h('span', { class: `badge ${TYPE_BADGE[m.type] ?? 'gray'}` }, m.type),
            ),
          ),
        ),
    )
  }
  search.addEventListener('input', debounce(showList, 150))
  showList()
  const panel = h('div', null)
  render(content, h('div', { class: 'explorer' }, h('aside', { class: 'card picker' }, search, list), panel))
  if (!state.metric) {
    render(panel, h('p', { class: 'notice' }, 'No metrics yet: send some to POST /api/metrics.'))
    return
  }
  const [labels, result] = await Promise.all([
    api.get<{ labels: Record<string, string[]> }>('api/metrics/labels', {
      name: state.metric,
      project: state.project,
    }),
    api.get<MetricQuery>('api/metrics', {
      name: state.metric,
      period: state.period,
      resolution: state.resolution,
      labels: state.labels,
      group_by: state.group_by,
      project: state.project,
    }),
  ])
  render(panel, labelFilters(labels.labels), metricCharts(result))
}

/** A metric name with line-break chances after its separators, so a long name wraps at `_` and `.`, whole. */
function breakable(name: string): (string | HTMLElement)[] {
  return name.split(/(?<=[_.])/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]))
}

function labelFilters(labels: Record<string, string[]>): HTMLElement {
  const active = Object.fromEntries(
    state.labels
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]),
  )
  const apply = () => void load()
  const selects = Object.entries(labels).map(([key, values]) => {
    const select = h(
      'select',
      { name: key, 'aria-label': `Label ${key}` },
      h('option', { value: '' }, 'any'),
      values.map((value) => h('option', { value, selected: active[key] === value }, value)),
    )
    select.addEventListener('change', () => {
      const pairs = [...document.querySelectorAll<HTMLSelectElement>('.label-filters select[data-label]')]
        .filter((s) => s.value)
        .map((s) => `${s.name}:${s.value}`)
      state.labels = pairs.join(',')
      apply()
    })
    select.dataset.label = key
    return h('label', { class: 'field' }, h('span', null, key), select)
  })
  const choice = (name: 'resolution' | 'group_by', label: string, options: [string, string][]) => {
    const select = h(
      'select',
      { name, 'aria-label': label },
      options.map(([value, text]) => h('option', { value, selected: state[name] === value }, text)),
    )
    select.addEventListener('change', () => {
      state[name] = select.value
      apply()
    })
    return h('label', { class: 'field' }, h('span', null, label), select)
  }
  return h(
    'div',
    { class: 'label-filters' },
    choice('resolution', 'Resolution', [
      ['auto', 'auto'],
      ['minute', 'minute'],
      ['hour', 'hour'],
    ]),
    choice('group_by', 'Group by', [
      ['', 'none'],
      ...Object.keys(labels).map((k): [string, string] => [k, k]),
    ]),
    selects,
  )
}

function metricCharts(result: MetricQuery): HTMLElement {
  const groups = result.series ?? [{ labels: {}, data: result.data }]
  const times = [...new Set(groups.flatMap((g) => g.data.map((b) => b.bucket)))].sort()
  const at = (data: Bucket[], pick: (b: Bucket) => number | null) => {
    const byTime = new Map(data.map((b) => [b.bucket, pick(b)]))
    return times.map((t) => byTime.get(t) ?? null)
  }
  const colors = ['--blue', '--orange', '--green', '--purple', '--red', '--yellow', '--gray']
  const name = (g: (typeof groups)[number], suffix: string) => {
    const text = Object.values(g.labels).join(',')
    return text ? `${text} ${suffix}` : suffix
  }
  const charts: HTMLElement[] = []
  const unit = unitOf(result.name)
  if (result.type === 'histogram') {
    for (const [i, g] of groups.entries()) {
      charts.push(
        lineChart(
          `${result.name}${Object.keys(g.labels).length ? ` · ${name(g, '')}` : ''} (p50 / p95 / p99)`,
          times,
          percentiles([
            ...times.map((t) => {
              const b = g.data.find((x) => x.bucket === t)
              return b ? [b.p50, b.p95, b.p99] : [null, null, null]
            }),
          ]),
          unit,
        ),
      )
      if (i >= 5) break
    }
  } else {
    const counter = result.type === 'counter'
    charts.push(
      lineChart(
        `${result.name} ${counter ? '(rate per second)' : '(average)'}`,
        times,
        groups
          .slice(0, colors.length)
          .flatMap((g, i): Line[] =>
            counter
              ? [{ label: name(g, 'rate/s'), color: colors[i]!, values: at(g.data, (b) => b.rate ?? null) }]
              : [{ label: name(g, 'avg'), color: colors[i]!, values: at(g.data, (b) => b.avg) }],
          ),
        counter ? `${unit}/s` : unit,
      ),
    )
  }
  charts.push(
    lineChart(`${result.name} (points per bucket)`, times, [
      { label: 'count', color: '--gray', values: at(result.data, (b) => b.count) },
    ]),
  )
  return h('div', { class: 'grid single' }, charts)
}

async function loadProjects(): Promise<void> {
  const { projects } = await api.get<{ projects: string[] }>('api/projects')
  for (const project of projects)
    projectSelect.append(h('option', { value: project, selected: project === state.project }, project))
}

projectSelect.addEventListener('change', () => void load())
periodInput.addEventListener(
  'input',
  debounce(() => void load(), 500),
)
renderShell()
void loadProjects().then(load, load)
