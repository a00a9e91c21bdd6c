import { formatDateTime, h } from '@monlight/ui-kit'
import { breadcrumbs } from './breadcrumbs.js'
import { exceptionChain } from './frames.js'
import type { ErrorEvent, Occurrence } from './types.js'
import { asObject, display, kvTable, levelBadge, pretty, tagHref } from './util.js'

/**
 * Everything about one event: structured (Sentry-grade) when it has its own `event`, upstream's flat report
 * otherwise — with the frames the server parsed from its traceback (`derived`) above the traceback itself.
 */
export function eventBody(occurrence: Occurrence): HTMLElement {
  const event = occurrence.event
  return h(
    'div',
    { class: 'event-body', 'data-seq': occurrence.id },
    event && !event.derived ? structured(occurrence, event) : upstream(occurrence),
  )
}

type Kid = Node | string | null | false | undefined | Kid[]

function section(title: string, className: string, ...content: Kid[]): HTMLElement {
  return h('section', { class: `ev-section ${className}` }, h('h3', null, title), ...content)
}

function structured(occurrence: Occurrence, event: ErrorEvent): Kid[] {
  const exceptions = event.exceptions ?? []
  const environment = occurrence.environment
  const user = event.user
  const request = event.request
  const extra = occurrence.extra
  return [
    event.truncated &&
      event.truncated.length > 0 &&
      h(
        'div',
        { class: 'notice truncated', role: 'note' },
        h('strong', null, 'This event was cut to fit storage limits:'),
        h(
          'ul',
          null,
          event.truncated.map((note) => h('li', null, note)),
        ),
      ),
    highlights(occurrence, event),
    event.message &&
      (exceptions.length === 0 || event.message !== exceptions.at(-1)?.value) &&
      section('Message', 'ev-message', h('pre', { class: 'message-text' }, event.message)),
    exceptions.length > 0 && section('Exception', 'ev-exceptions', exceptionChain(exceptions)),
    event.breadcrumbs &&
      event.breadcrumbs.length > 0 &&
      section('Breadcrumbs', 'ev-breadcrumbs', breadcrumbs(event.breadcrumbs, event.timestamp)),
    event.tags &&
      Object.keys(event.tags).length > 0 &&
      section(
        'Tags',
        'ev-tags',
        h(
          'ul',
          { class: 'tag-pills' },
          Object.entries(event.tags).map(([key, value]) =>
            h(
              'li',
              null,
              h(
                'a',
                { class: 'tag-pill', href: tagHref(key, value), title: `Errors tagged ${key}: ${value}` },
                h('span', { class: 'k' }, key),
                h('span', { class: 'v' }, value),
              ),
            ),
          ),
        ),
      ),
    request && Object.keys(request).length > 0
      ? section('Request', 'ev-request', requestView(request))
      : occurrence.request_url && section('Request', 'ev-request', flatRequest(occurrence)),
    user && Object.keys(user).length > 0
      ? section('User', 'ev-user', kvTable(Object.entries(user)))
      : occurrence.user_id && section('User', 'ev-user', kvTable([['id', occurrence.user_id]])),
    event.contexts &&
      Object.keys(event.contexts).length > 0 &&
      section(
        'Contexts',
        'ev-contexts',
        h(
          'div',
          { class: 'contexts' },
          Object.entries(event.contexts).map(([name, context]) =>
            h(
              'div',
              { class: 'ctx', 'data-context': name },
              h('h4', null, contextTitle(name, context)),
              kvTable(
                Object.entries(asObject(context) ?? { value: context }).filter(([key]) => key !== 'type'),
              ) ?? h('p', { class: 'muted small' }, 'empty'),
            ),
          ),
        ),
      ),
    extra != null && section('Additional data', 'ev-extra', extraView(extra)),
    section(
      'Event',
      'ev-details',
      kvTable([
        ['event_id', event.event_id ?? occurrence.event_id],
        ['timestamp', event.timestamp === undefined ? occurrence.timestamp : formatDateTime(event.timestamp)],
        ['level', event.level ?? occurrence.level],
        ['release', event.release ?? occurrence.release],
        ['dist', event.dist],
        ['environment', environment],
        ['server_name', event.server_name],
        ['transaction', event.transaction],
        ['logger', event.logger],
        ['platform', event.platform],
        ['sdk', event.sdk && [event.sdk.name, event.sdk.version].filter(Boolean).join(' ')],
        ['fingerprint', event.fingerprint?.join(' · ')],
      ]),
    ),
    occurrence.traceback.trim() !== '' &&
      h(
        'details',
        { class: 'raw' },
        h('summary', null, 'Raw traceback'),
        h('pre', { class: 'traceback' }, occurrence.traceback),
      ),
    lazyJson('Event JSON', event),
  ]
}

/** A strip of the facts a reader looks for first, like Sentry's highlights. */
function highlights(occurrence: Occurrence, event: ErrorEvent): HTMLElement | null {
  const browser = event.contexts?.browser
  const os = event.contexts?.os
  const runtime = event.contexts?.runtime
  const named = (context: Record<string, unknown> | undefined) =>
    context && typeof context.name === 'string'
      ? [context.name, typeof context.version === 'string' ? context.version : ''].join(' ').trim()
      : undefined
  const user = event.user
  const who = user && (user.email ?? user.username ?? user.id ?? user.ip_address)
  const items: [string, Node | string | undefined | null][] = [
    ['level', levelBadge(event.level ?? occurrence.level)],
    ['environment', occurrence.environment],
    ['release', event.release ?? occurrence.release],
    ['transaction', event.transaction],
    ['handled', handledOf(event)],
    ['url', event.request?.url],
    ['user', who === undefined ? undefined : display(who)],
    ['browser', named(browser)],
    ['os', named(os)],
    ['runtime', named(runtime)],
    ['server', event.server_name],
  ]
  const shown = items.filter(([, value]) => value !== undefined && value !== null && value !== '')
  return h(
    'dl',
    { class: 'highlights' },
    shown.map(([key, value]) =>
      h('div', null, h('dt', null, key), h('dd', { title: typeof value === 'string' ? value : null }, value)),
    ),
  )
}

function handledOf(event: ErrorEvent): string | undefined {
  const handled = event.exceptions?.at(-1)?.mechanism?.handled
  return handled === undefined ? undefined : handled ? 'yes' : 'no'
}

function contextTitle(name: string, context: unknown): string {
  const known: Record<string, string> = {
    os: 'Operating system',
    browser: 'Browser',
    runtime: 'Runtime',
    device: 'Device',
    trace: 'Trace',
    app: 'App',
    culture: 'Culture',
    cloud_resource: 'Cloud resource',
  }
  const type = asObject(context)?.type
  return known[name] ?? (typeof type === 'string' ? known[type] : undefined) ?? name
}

function requestView(request: NonNullable<ErrorEvent['request']>): Kid[] {
  return [
    (request.method || request.url) &&
      h(
        'div',
        { class: 'request-line' },
        request.method && h('span', { class: `badge ${methodColor(request.method)}` }, request.method),
        request.url && h('span', { class: 'url mono' }, request.url),
      ),
    request.query_string && kvTable([['query', request.query_string]]),
    request.data !== undefined &&
      h('div', { class: 'sub' }, h('h4', null, 'Body'), h('pre', null, pretty(request.data))),
    request.headers &&
      Object.keys(request.headers).length > 0 &&
      h(
        'div',
        { class: 'sub' },
        h('h4', null, 'Headers'),
        kvTable(Object.entries(request.headers), 'headers'),
      ),
  ]
}

function flatRequest(occurrence: Occurrence): Kid[] {
  const headers = asObject(occurrence.request_headers)
  return [
    h(
      'div',
      { class: 'request-line' },
      occurrence.request_method &&
        h('span', { class: `badge ${methodColor(occurrence.request_method)}` }, occurrence.request_method),
      occurrence.request_url && h('span', { class: 'url mono' }, occurrence.request_url),
    ),
    headers
      ? h('div', { class: 'sub' }, h('h4', null, 'Headers'), kvTable(Object.entries(headers), 'headers'))
      : occurrence.request_headers != null && h('pre', null, pretty(occurrence.request_headers)),
  ]
}

function extraView(extra: unknown): Node | null {
  const object = asObject(extra)
  return object ? kvTable(Object.entries(object)) : h('pre', null, pretty(extra))
}

/** Pretty JSON rendered on first open (events can be large). */
function lazyJson(title: string, value: unknown): HTMLElement {
  const pre = h('pre', { class: 'json' })
  const details = h('details', { class: 'raw' }, h('summary', null, title), pre)
  details.addEventListener('toggle', () => {
    if (details.open && !pre.firstChild) pre.textContent = JSON.stringify(value, null, 2)
  })
  return details
}

/** Upstream's flat report: the traceback text, then request, browser, user and extra as the old UI showed them. */
function upstream(occurrence: Occurrence): Kid[] {
  const extra = asObject(occurrence.extra)
  const browser = occurrence.request_method === 'BROWSER'
  const sessionId = typeof extra?.session_id === 'string' ? extra.session_id : undefined
  const parsed = occurrence.event?.derived ? (occurrence.event.exceptions ?? []) : []
  return [
    h(
      'dl',
      { class: 'highlights' },
      [
        ['level', levelBadge(occurrence.level)],
        ['environment', occurrence.environment],
        ['release', occurrence.release],
        ['user', occurrence.user_id],
      ]
        .filter(([, value]) => value)
        .map(([key, value]) =>
          h('div', null, h('dt', null, key as string), h('dd', null, value as Node | string)),
        ),
    ),
    parsed.length > 0 &&
      section(
        'Exception',
        'ev-exceptions',
        h('p', { class: 'muted' }, 'Frames parsed from the traceback below.'),
        exceptionChain(parsed),
      ),
    section('Traceback', 'ev-traceback', h('pre', { class: 'traceback' }, occurrence.traceback || '(empty)')),
    (occurrence.request_url || occurrence.request_method) &&
      section(
        browser ? 'Page' : 'Request',
        'ev-request',
        ...flatRequest(occurrence),
        browser &&
          h(
            'div',
            { class: 'browser-strip' },
            typeof extra?.page_url === 'string' && h('span', null, `page: ${extra.page_url}`),
            typeof extra?.user_agent === 'string' && h('span', null, `agent: ${extra.user_agent}`),
            sessionId &&
              h('a', { href: `./?session_id=${encodeURIComponent(sessionId)}` }, `session: ${sessionId}`),
          ),
      ),
    occurrence.user_id && section('User', 'ev-user', kvTable([['id', occurrence.user_id]])),
    occurrence.extra != null && section('Additional data', 'ev-extra', extraView(occurrence.extra)),
  ]
}

export function methodColor(method: string): string {
  if (method === 'BROWSER') return 'purple'
  if (method === 'GET') return 'blue'
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') return 'green'
  if (method === 'DELETE') return 'red'
  return 'gray'
}
