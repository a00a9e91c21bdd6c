import { type Api, ApiError, formatDateTime, formatNumber, h, render } from '@monlight/ui-kit'
import { histogram } from './chart.js'
import { eventBody } from './event.js'
import type {
  ErrorDetail,
  EventSummary,
  EventWithNeighbours,
  Facets,
  IgnoreUntil,
  TagFacet,
} from './types.js'
import {
  ago,
  header,
  ignoredUntil,
  ignoreMenu,
  levelBadge,
  menu,
  messageOf,
  plural,
  softLink,
  statusBadge,
  tagHref,
  truncate,
} from './util.js'

const EVENTS_PAGE = 15
const TAG_VALUES_SHOWN = 4

const back = () => h('a', { class: 'back', href: './' }, '← All errors')

export async function showDetail(api: Api, id: number): Promise<void> {
  const main = h('main', { class: 'detail-page' }, back(), h('p', { class: 'muted' }, 'Loading…'))
  render(document.body, header(), main)
  let error: ErrorDetail
  try {
    error = await api.get<ErrorDetail>(`api/errors/${id}`)
  } catch (failure) {
    render(
      main,
      back(),
      h(
        'p',
        { class: 'error-banner', role: 'alert' },
        failure instanceof ApiError && failure.status === 404 ? 'Error not found' : messageOf(failure),
      ),
    )
    return
  }
  document.title = `${error.exception_type}: ${truncate(error.message, 80)} - Error Tracker`

  const head = h('div', { class: 'detail-head' })
  const chartCard = h('section', { class: 'card side-card' })
  const tagsCard = h('section', { class: 'card side-card tags-card', 'aria-labelledby': 'tags-title' })
  const eventsCard = h('section', { class: 'card side-card events-card', 'aria-labelledby': 'events-title' })
  const eventPanel = h('section', { class: 'event-panel', 'aria-labelledby': 'event-title' })
  render(
    main,
    back(),
    head,
    h(
      'div',
      { class: 'detail-grid' },
      eventPanel,
      h('aside', { class: 'sidebar', 'aria-label': 'Group summary' }, chartCard, tagsCard, eventsCard),
    ),
  )

  const newest = () => error.occurrences[0]?.id
  let current: number | undefined

  // ---- header and actions
  let releases: string[] | undefined
  const act = async (button: HTMLElement | null, path: string, body?: unknown) => {
    if (button instanceof HTMLButtonElement) button.disabled = true
    head.classList.add('busy')
    try {
      await api.post(`api/errors/${id}/${path}`, body)
      error = await api.get<ErrorDetail>(`api/errors/${id}`)
      renderHead()
      renderSide()
      head.querySelector<HTMLElement>('.actions button, .actions summary')?.focus()
    } catch (failure) {
      render(actionStatus, h('span', { class: 'error-text', role: 'alert' }, messageOf(failure)))
      if (button instanceof HTMLButtonElement) button.disabled = false
    } finally {
      head.classList.remove('busy')
    }
  }
  const actionStatus = h('div', { class: 'action-status' })

  const resolveInRelease = () => {
    const input = h('input', {
      type: 'text',
      name: 'in_release',
      list: 'release-options',
      placeholder: error.last_release ?? '1.2.3',
      value: error.last_release ?? '',
      'aria-label': 'Release',
      required: true,
      size: 16,
    })
    const options = h('datalist', { id: 'release-options' })
    const fillReleases = (values: string[]) =>
      render(
        options,
        values.map((value) => h('option', { value })),
      )
    if (releases) fillReleases(releases)
    else
      void api
        .get<Facets>('api/facets', { project: error.project })
        .then((facets) => {
          releases = facets.releases
          fillReleases(releases)
        })
        .catch(() => {})
    const form = h(
      'form',
      { class: 'release-form' },
      h('label', { class: 'field' }, h('span', null, 'Resolved in release'), input),
      options,
      h(
        'p',
        { class: 'hint' },
        'Only events from a later release reopen it; late reports from this release and older ones stay resolved.',
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Resolve in release'),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const release = input.value.trim()
      if (release) void act(form.querySelector('button'), 'resolve', { in_release: release })
    })
    const dropdown = menu('In release…', [form], 'release-menu')
    dropdown.addEventListener('toggle', () => {
      if (dropdown.open) input.focus()
    })
    return dropdown
  }

  function renderHead(): void {
    const status = error.status
    const resolve = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: (e: Event) => void act(e.currentTarget as HTMLElement, 'resolve'),
      },
      'Resolve',
    )
    const actions =
      status === 'resolved'
        ? [
            h(
              'button',
              {
                type: 'button',
                onclick: (e: Event) => void act(e.currentTarget as HTMLElement, 'unresolve'),
              },
              'Unresolve',
            ),
          ]
        : status === 'ignored'
          ? [
              h(
                'button',
                {
                  type: 'button',
                  onclick: (e: Event) => void act(e.currentTarget as HTMLElement, 'unignore'),
                },
                'Unignore',
              ),
              resolve,
            ]
          : [
              h('span', { class: 'split' }, resolve, resolveInRelease()),
              ignoreMenu((until: IgnoreUntil) => void act(null, 'ignore', until)),
            ]
    const note =
      status === 'ignored'
        ? `Ignored ${ignoredUntil(error) || 'forever'}: new events do not alert${error.ignored_until || error.ignored_until_count !== null ? ' until then' : ''}.`
        : status === 'resolved'
          ? error.resolved_in_release
            ? `Resolved in release ${error.resolved_in_release}${error.resolved_at ? ` ${ago(error.resolved_at).textContent}` : ''}: only events from a later release reopen it.`
            : `Resolved${error.resolved_at ? ` ${ago(error.resolved_at).textContent}` : ''}: a new event reopens it.`
          : ''
    render(actionStatus)
    render(
      head,
      h(
        'div',
        { class: 'head-main' },
        h(
          'div',
          { class: 'head-badges' },
          levelBadge(error.level),
          statusBadge(error),
          h('span', { class: 'badge blue' }, error.project),
          error.source === 'browser' && h('span', { class: 'badge purple' }, 'browser'),
          error.platform && h('span', { class: 'muted' }, error.platform),
        ),
        h('h1', null, error.exception_type),
        h('div', { class: 'message' }, error.message),
        error.culprit && h('div', { class: 'culprit mono' }, error.culprit),
        h('div', { class: 'actions' }, actions),
        note && h('p', { class: 'status-note muted' }, note),
        actionStatus,
      ),
      h(
        'dl',
        { class: 'head-stats' },
        stat('Events', h('span', { class: 'big' }, formatNumber(error.count))),
        stat('First seen', ago(error.first_seen), error.first_release && releaseTag(error.first_release)),
        stat('Last seen', ago(error.last_seen), error.last_release && releaseTag(error.last_release)),
      ),
    )
  }

  // ---- sidebar: 30-day chart, tag facets, event list
  function renderSide(): void {
    render(chartCard, histogram(error.histogram))
    render(
      tagsCard,
      h('h2', { id: 'tags-title' }, 'Tags'),
      error.tags.length === 0
        ? h('p', { class: 'muted small' }, 'No tags yet.')
        : h(
            'div',
            { class: 'facets' },
            error.tags.map((facet) => facetBlock(facet, error.count)),
          ),
    )
  }

  const eventList = h('ol', { class: 'event-list' })
  const olderButton = h('button', { type: 'button', class: 'small', hidden: true }, 'Load older events')
  let oldestShown: number | undefined
  const loadEvents = async () => {
    olderButton.disabled = true
    try {
      const { events } = await api.get<{ events: EventSummary[] }>(`api/errors/${id}/events`, {
        limit: EVENTS_PAGE,
        before: oldestShown,
      })
      for (const item of events) eventList.append(eventItem(item))
      if (events.length > 0) oldestShown = events.at(-1)!.id
      olderButton.hidden = events.length < EVENTS_PAGE
      markCurrent()
    } catch (failure) {
      eventList.append(h('li', { class: 'error-text' }, messageOf(failure)))
    } finally {
      olderButton.disabled = false
    }
  }
  olderButton.addEventListener('click', () => void loadEvents())
  const eventItem = (item: EventSummary) => {
    const link = softLink(
      `?event=${item.id}`,
      () => void selectEvent(item.id, true),
      h('span', { class: 'seq' }, `#${item.id}`),
      ago(item.timestamp, 'when'),
      h(
        'span',
        { class: 'what muted' },
        [item.release, item.environment, item.user_id && `user ${item.user_id}`]
          .filter(Boolean)
          .join(' · ') ||
          item.request_url ||
          '',
      ),
    )
    link.classList.add('event-link')
    return h('li', { 'data-seq': item.id }, link)
  }
  const markCurrent = () => {
    for (const li of eventList.querySelectorAll<HTMLElement>('li[data-seq]')) {
      const link = li.querySelector('a')
      if (Number(li.dataset.seq) === current) link?.setAttribute('aria-current', 'true')
      else link?.removeAttribute('aria-current')
    }
  }
  render(
    eventsCard,
    h(
      'h2',
      { id: 'events-title' },
      'Events',
      h(
        'span',
        { class: 'muted small', title: 'The group keeps its newest events; older ones are only counted' },
        ` newest ${formatNumber(error.events_kept)} kept`,
      ),
    ),
    eventList,
    olderButton,
  )

  // ---- the selected event
  let eventGeneration = 0
  async function selectEvent(seq: number | undefined, push: boolean): Promise<void> {
    const mine = ++eventGeneration
    if (push && seq !== undefined) {
      const url = new URL(location.href)
      url.searchParams.set('event', String(seq))
      history.pushState({ event: seq }, '', url.search)
    }
    current = seq
    markCurrent()
    if (seq === undefined) {
      render(
        eventPanel,
        h('h2', { id: 'event-title' }, 'Event'),
        h('p', { class: 'empty' }, 'No events kept.'),
      )
      return
    }
    eventPanel.classList.add('loading')
    try {
      const event = await api.get<EventWithNeighbours>(`api/errors/${id}/events/${seq}`)
      if (mine !== eventGeneration) return
      render(eventPanel, eventNav(event), eventBody(event))
    } catch (failure) {
      if (mine !== eventGeneration) return
      render(
        eventPanel,
        eventNav({ id: seq, previous: null, next: null }),
        h(
          'p',
          { class: 'error-banner', role: 'alert' },
          failure instanceof ApiError && failure.status === 404
            ? `Event #${seq} is not kept: the group keeps its newest ${formatNumber(error.events_kept)} events.`
            : messageOf(failure),
        ),
      )
    } finally {
      if (mine === eventGeneration) eventPanel.classList.remove('loading')
    }
  }

  const eventNav = (
    event: Pick<EventWithNeighbours, 'id' | 'previous' | 'next'> & Partial<EventWithNeighbours>,
  ) => {
    const step = (seq: number | null, label: string, title: string) => {
      const link =
        seq === null
          ? h('span', { class: 'disabled', 'aria-disabled': 'true' }, label)
          : softLink(`?event=${seq}`, () => void selectEvent(seq, true), label)
      link.classList.add('button')
      link.title = seq === null ? `No ${title.toLowerCase()} kept` : `${title} (#${seq})`
      return link
    }
    const newestLink = (seq: number) => {
      const link = softLink(`?event=${seq}`, () => void selectEvent(seq, true), 'Newest »')
      link.classList.add('button')
      return link
    }
    const older = step(event.previous, '‹ Older', 'Older event')
    const newer = step(event.next, 'Newer ›', 'Newer event')
    const latest = newest()
    return h(
      'div',
      { class: 'event-nav' },
      h(
        'div',
        { class: 'event-title' },
        h('h2', { id: 'event-title' }, `Event #${event.id}`),
        event.timestamp &&
          h('span', { title: formatDateTime(event.timestamp) }, formatDateTime(event.timestamp)),
        event.timestamp && h('span', { class: 'muted' }, '(', ago(event.timestamp, ''), ')'),
        event.event_id && h('code', { class: 'muted event-id', title: 'Event ID' }, event.event_id),
      ),
      h(
        'nav',
        { class: 'steps', 'aria-label': 'Events' },
        older,
        newer,
        latest !== undefined && latest !== event.id ? newestLink(latest) : null,
      ),
    )
  }

  const fromUrl = () => {
    const raw = new URLSearchParams(location.search).get('event')
    return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
  }
  window.addEventListener('popstate', () => void selectEvent(fromUrl() ?? newest(), false))

  renderHead()
  renderSide()
  void loadEvents()
  await selectEvent(fromUrl() ?? newest(), false)
}

function stat(label: string, ...value: (Node | string | null | false | undefined)[]): HTMLElement {
  return h('div', { class: 'stat' }, h('dt', null, label), h('dd', null, ...value))
}

function releaseTag(release: string): HTMLElement {
  return h('span', { class: 'release-tag mono', title: `Release ${release}` }, release)
}

/** One tag key: its top values with counts and a proportion bar; the rest behind "Show all". */
function facetBlock(facet: TagFacet, total: number): HTMLElement {
  const sum = facet.values.reduce((s, v) => s + v.count, 0)
  const denominator = Math.max(total, sum, 1)
  const rows = facet.values.map((value, i) => {
    const share = Math.min(100, (value.count / denominator) * 100)
    const bar = h('span', { class: 'bar' })
    bar.style.width = `${share.toFixed(1)}%`
    return h(
      'tr',
      { hidden: i >= TAG_VALUES_SHOWN },
      h(
        'td',
        { class: 'value' },
        h(
          'a',
          { class: 'facet-link', href: tagHref(facet.key, value.value), title: value.value },
          value.value,
        ),
      ),
      h('td', { class: 'share' }, h('span', { class: 'track' }, bar)),
      h(
        'td',
        { class: 'pct', title: plural(value.count, 'event') },
        `${share >= 10 || share === 0 ? Math.round(share) : share.toFixed(1)}%`,
      ),
    )
  })
  const more =
    rows.length > TAG_VALUES_SHOWN &&
    h(
      'button',
      {
        type: 'button',
        class: 'link small',
        'aria-expanded': 'false',
        onclick: (event: Event) => {
          const button = event.currentTarget as HTMLButtonElement
          const open = button.getAttribute('aria-expanded') !== 'true'
          rows.forEach((row, i) => {
            row.hidden = !open && i >= TAG_VALUES_SHOWN
          })
          button.setAttribute('aria-expanded', String(open))
          button.textContent = open ? 'Show fewer' : `Show all ${rows.length}`
        },
      },
      `Show all ${rows.length}`,
    )
  return h(
    'div',
    { class: 'facet', 'data-key': facet.key },
    h('table', null, h('caption', null, facet.key), h('tbody', null, rows)),
    more,
  )
}
