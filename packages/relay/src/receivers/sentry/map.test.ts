import { describe, expect, it } from 'vitest'
import {
  type MapContext,
  mapCheckIn,
  mapClientReport,
  mapEvent,
  mapLogs,
  mapSessions,
  mapSpans,
  mapTransaction,
  sentryTime,
  tracebackText,
} from './map.js'

const NOW = Date.parse('2026-01-01T12:00:00Z')
const context: MapContext = { project: 'shop', now: NOW }
const EVENT_ID = '9ec79c33ec9942ab8353589fcb2e04dc'

describe('mapEvent', () => {
  it('maps a browser event (@sentry/browser): frames, browser context, BROWSER as the method', () => {
    const event = {
      event_id: EVENT_ID,
      platform: 'javascript',
      level: 'error',
      timestamp: 1767225600.125,
      release: 'web@2.0.0',
      environment: 'production',
      exception: {
        values: [
          {
            type: 'TypeError',
            value: "Cannot read properties of undefined (reading 'id')",
            mechanism: { type: 'auto.browser.global_handlers.onerror', handled: false },
            stacktrace: {
              frames: [
                {
                  filename: 'https://shop.example.com/static/vendor.min.js',
                  function: 'HTMLButtonElement.dispatch',
                  lineno: 2,
                  colno: 40_123,
                  in_app: true,
                },
                {
                  filename: 'https://shop.example.com/static/app.min.js',
                  function: 'onClick',
                  lineno: 1,
                  colno: 2345,
                  in_app: true,
                },
              ],
            },
          },
        ],
      },
      request: {
        url: 'https://shop.example.com/dashboard?tab=orders',
        headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh)', Referer: 'https://shop.example.com/' },
      },
      contexts: {
        browser: { name: 'Chrome', version: '131.0.0' },
        os: { name: 'macOS', version: '15.1' },
        trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
      },
      user: { ip_address: '203.0.113.7' },
      breadcrumbs: [
        { timestamp: 1767225599.5, category: 'ui.click', message: 'button#buy' },
        {
          timestamp: 1767225599.75,
          type: 'http',
          category: 'fetch',
          data: { method: 'GET', url: '/api/cart', status_code: 500 },
          level: 'error',
        },
      ],
      sdk: { name: 'sentry.javascript.browser', version: '11.12.0', integrations: ['Breadcrumbs'] },
    }
    const report = mapEvent(event, context)
    expect(report).toEqual({
      project: 'shop',
      exception_type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      traceback: [
        "TypeError: Cannot read properties of undefined (reading 'id')",
        '    at onClick (https://shop.example.com/static/app.min.js:1:2345)',
        '    at HTMLButtonElement.dispatch (https://shop.example.com/static/vendor.min.js:2:40123)',
      ].join('\n'),
      request_url: 'https://shop.example.com/dashboard?tab=orders',
      request_method: 'BROWSER',
      request_headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh)', Referer: 'https://shop.example.com/' },
      user_id: '203.0.113.7',
      environment: 'production',
      event: {
        event_id: EVENT_ID,
        level: 'error',
        platform: 'javascript',
        timestamp: 1767225600125,
        release: 'web@2.0.0',
        exceptions: [
          {
            type: 'TypeError',
            value: "Cannot read properties of undefined (reading 'id')",
            mechanism: { type: 'auto.browser.global_handlers.onerror', handled: false },
            frames: [
              {
                filename: 'https://shop.example.com/static/vendor.min.js',
                function: 'HTMLButtonElement.dispatch',
                lineno: 2,
                colno: 40_123,
                in_app: true,
              },
              {
                filename: 'https://shop.example.com/static/app.min.js',
                function: 'onClick',
                lineno: 1,
                colno: 2345,
                in_app: true,
              },
            ],
          },
        ],
        breadcrumbs: [
          { timestamp: 1767225599500, category: 'ui.click', message: 'button#buy' },
          {
            timestamp: 1767225599750,
            type: 'http',
            category: 'fetch',
            level: 'error',
            data: { method: 'GET', url: '/api/cart', status_code: 500 },
          },
        ],
        contexts: event.contexts,
        user: { ip_address: '203.0.113.7' },
        request: {
          url: 'https://shop.example.com/dashboard?tab=orders',
          headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh)', Referer: 'https://shop.example.com/' },
        },
        sdk: { name: 'sentry.javascript.browser', version: '11.12.0' },
      },
    })
  })

  it('maps a Python event (sentry-python): logentry, frames with vars and pre_context, {values} breadcrumbs', () => {
    const event = {
      event_id: EVENT_ID,
      platform: 'python',
      level: 'error',
      timestamp: '2026-01-01T10:00:00.123456Z',
      logger: 'shop.payments',
      server_name: 'web-2',
      release: 'shop@3.1.0',
      environment: 'prod',
      logentry: {
        message: 'charge failed for %s',
        params: ['order-1'],
        formatted: 'charge failed for order-1',
      },
      exception: {
        values: [
          {
            type: 'KeyError',
            value: "'card'",
            module: null,
            mechanism: { type: 'logging', handled: true },
            stacktrace: {
              frames: [
                {
                  filename: 'shop/views.py',
                  abs_path: '/srv/shop/views.py',
                  function: 'pay',
                  module: 'shop.views',
                  lineno: 12,
                  in_app: true,
                },
                {
                  filename: 'shop/payments.py',
                  abs_path: '/srv/shop/payments.py',
                  function: 'charge',
                  module: 'shop.payments',
                  lineno: 88,
                  pre_context: ['def charge(order):', '    data = order.data'],
                  context_line: "    return data['card']",
                  post_context: [''],
                  vars: { order: "<Order 'order-1'>", data: { number: '[Filtered]' } },
                  in_app: true,
                },
              ],
            },
          },
        ],
      },
      request: {
        url: 'http://shop.local/pay',
        method: 'POST',
        query_string: 'step=2',
        headers: { Host: 'shop.local', 'Content-Type': 'application/json' },
        data: { amount: '9.99' },
      },
      user: { id: 42, username: 'ada' },
      extra: { 'sys.argv': ['manage.py', 'runserver'] },
      contexts: { runtime: { name: 'CPython', version: '3.12.1' } },
      breadcrumbs: {
        values: [
          {
            timestamp: '2026-01-01T09:59:59Z',
            type: 'default',
            category: 'query',
            message: 'SELECT 1',
            level: 'info',
          },
        ],
      },
      sdk: { name: 'sentry.python.django', version: '2.19.0' },
    }
    const report = mapEvent(event, context)!
    expect(report).toMatchObject({
      project: 'shop',
      exception_type: 'KeyError',
      message: "'card'",
      traceback: [
        "KeyError: 'card'",
        '    at charge (/srv/shop/payments.py:88)',
        '    at pay (/srv/shop/views.py:12)',
      ].join('\n'),
      request_url: 'http://shop.local/pay',
      request_method: 'POST',
      user_id: '42',
      extra: { 'sys.argv': ['manage.py', 'runserver'] },
      environment: 'prod',
    })
    expect(report.event).toMatchObject({
      level: 'error',
      platform: 'python',
      logger: 'shop.payments',
      server_name: 'web-2',
      message: 'charge failed for order-1',
      timestamp: Date.parse('2026-01-01T10:00:00.123Z'),
      request: { method: 'POST', query_string: 'step=2', data: { amount: '9.99' } },
      breadcrumbs: [
        {
          timestamp: Date.parse('2026-01-01T09:59:59Z'),
          type: 'default',
          category: 'query',
          message: 'SELECT 1',
          level: 'info',
        },
      ],
    })
    expect(report.event!.exceptions![0]!.module).toBeUndefined()
    expect(report.event!.exceptions![0]!.frames[1]).toEqual({
      filename: 'shop/payments.py',
      abs_path: '/srv/shop/payments.py',
      function: 'charge',
      module: 'shop.payments',
      lineno: 88,
      in_app: true,
      pre_context: ['def charge(order):', '    data = order.data'],
      context_line: "    return data['card']",
      post_context: [''],
      vars: { order: "<Order 'order-1'>", data: { number: '[Filtered]' } },
    })
  })

  it('maps a Go message with a thread stack (sentry-go) as a synthetic exception', () => {
    const event = {
      event_id: EVENT_ID,
      platform: 'go',
      level: 'info',
      timestamp: '2026-01-01T10:00:00Z',
      message: 'cache warmed with 3 misses',
      // sentry-go writes threads as a bare list.
      threads: [
        { id: '2', current: false, stacktrace: { frames: [{ function: 'idle', lineno: 1 }] } },
        {
          id: '1',
          current: true,
          crashed: false,
          stacktrace: {
            frames: [
              { function: 'main', module: 'main', abs_path: '/app/main.go', lineno: 20, in_app: true },
              {
                function: 'Warm',
                module: 'example.com/shop/cache',
                abs_path: '/app/cache/warm.go',
                lineno: 55,
                in_app: true,
              },
            ],
          },
        },
      ],
    }
    const report = mapEvent(event, context)!
    expect(report).toMatchObject({
      exception_type: 'Message',
      message: 'cache warmed with 3 misses',
      traceback: [
        'Message: cache warmed with 3 misses',
        '    at Warm (/app/cache/warm.go:55)',
        '    at main (/app/main.go:20)',
      ].join('\n'),
    })
    expect(report.request_method).toBeUndefined()
    expect(report.event!.exceptions).toMatchObject([
      { type: '', value: 'cache warmed with 3 misses', frames: [{ function: 'main' }, { function: 'Warm' }] },
    ])
    // The same with Sentry's {values} form and the Python SDK's top-level stacktrace.
    const values = mapEvent({ ...event, threads: { values: event.threads } }, context)!
    expect(values.traceback).toBe(report.traceback)
    const top = mapEvent({ message: 'm', stacktrace: { frames: [{ function: 'f', lineno: 3 }] } }, context)!
    expect(top.traceback).toBe('Message: m\n    at f (<unknown>:3)')
  })

  it('takes the stack of the crashed thread for an exception without one (sentry-go panics)', () => {
    const report = mapEvent(
      {
        platform: 'go',
        exception: [{ type: '*errors.errorString', value: 'boom', thread_id: '1' }],
        threads: {
          values: [
            {
              id: '1',
              crashed: true,
              stacktrace: { frames: [{ function: 'handler', abs_path: '/a.go', lineno: 9 }] },
            },
          ],
        },
      },
      context,
    )!
    expect(report).toMatchObject({
      exception_type: '*errors.errorString',
      message: 'boom',
      traceback: '*errors.errorString: boom\n    at handler (/a.go:9)',
    })
  })

  it('maps a message-only event', () => {
    const report = mapEvent({ message: 'Inventory sync finished with warnings', level: 'warning' }, context)!
    expect(report).toEqual({
      project: 'shop',
      exception_type: 'Message',
      message: 'Inventory sync finished with warnings',
      traceback: 'Inventory sync finished with warnings',
      event: expect.objectContaining({
        level: 'warning',
        message: 'Inventory sync finished with warnings',
        exceptions: [],
      }),
    })
    expect(mapEvent({ message: { formatted: 'formatted text', params: [] } }, context)!.message).toBe(
      'formatted text',
    )
    expect(mapEvent({ message: { message: 'raw %s', params: ['x'] } }, context)!.message).toBe('raw %s')
  })

  it('maps an empty or odd event without failing, and refuses what is not an object', () => {
    expect(mapEvent({}, context)).toMatchObject({ exception_type: 'Error', message: '', traceback: '' })
    const odd = mapEvent(
      {
        level: 7,
        exception: { values: [null, 'x', { type: 5, value: ['no'] }] },
        breadcrumbs: 'none',
        tags: 'a,b',
        contexts: [],
        user: 'u',
        request: 'r',
        timestamp: 'yesterday',
        sdk: [],
      },
      context,
    )!
    expect(odd).toMatchObject({ exception_type: 'Error', message: '', project: 'shop' })
    expect(odd.event).toMatchObject({ exceptions: [{ type: '', value: '', frames: [] }] })
    expect(odd.event!.timestamp).toBeUndefined()
    for (const payload of [null, [], 'event', 42]) expect(mapEvent(payload, context)).toBeUndefined()
  })

  it('reads tags as a map and as pairs, keeping only scalar values, and __proto__ as data', () => {
    const map = mapEvent({ tags: { region: 'eu', shard: 7, beta: true, nested: {} } }, context)!
    expect(map.event!.tags).toEqual({ region: 'eu', shard: '7', beta: 'true' })
    const pairs = mapEvent({ tags: [['region', 'eu'], ['shard', 7], ['broken'], 'x', [1, 'y']] }, context)!
    expect(pairs.event!.tags).toEqual({ region: 'eu', shard: '7' })
    const proto = mapEvent(
      JSON.parse('{"tags":{"__proto__":"x"},"request":{"headers":[["__proto__","y"]]}}'),
      context,
    )!
    expect(Object.getPrototypeOf(proto.event!.tags)).toBe(Object.prototype)
    expect(Object.keys(proto.event!.tags!)).toEqual(['__proto__'])
    expect(Object.keys(proto.request_headers as object)).toEqual(['__proto__'])
  })

  it('reads breadcrumbs as an array and as {values}', () => {
    const crumbs = [
      { timestamp: 1767225600, message: 'a' },
      'junk',
      { timestamp: '2026-01-01T00:00:01Z', message: 'b' },
    ]
    const expected = [
      { timestamp: 1767225600000, message: 'a' },
      { timestamp: 1767225601000, message: 'b' },
    ]
    expect(mapEvent({ breadcrumbs: crumbs }, context)!.event!.breadcrumbs).toMatchObject(expected)
    expect(mapEvent({ breadcrumbs: { values: crumbs } }, context)!.event!.breadcrumbs).toMatchObject(expected)
    expect(mapEvent({ breadcrumbs: { values: 'x' } }, context)!.event!.breadcrumbs).toBeUndefined()
  })

  it('cuts the fields the error tracker bounds, instead of having the event refused', () => {
    const report = mapEvent(
      { exception: { values: [{ type: 'É'.repeat(150), value: 'v' }] }, environment: '€'.repeat(50) },
      context,
    )!
    expect(Buffer.byteLength(report.exception_type)).toBeLessThanOrEqual(200)
    expect(report.exception_type).toBe('É'.repeat(100))
    expect(report.environment).toBe('€'.repeat(33))
  })

  it('names the user by id, email, username or address, in that order', () => {
    const user = (value: unknown) => mapEvent({ user: value }, context)!.user_id
    expect(user({ id: 'u1', email: 'a@b.c' })).toBe('u1')
    expect(user({ id: 7 })).toBe('7')
    expect(user({ email: 'a@b.c', username: 'ada' })).toBe('a@b.c')
    expect(user({ username: 'ada', ip_address: '::1' })).toBe('ada')
    expect(user({ ip_address: '::1' })).toBe('::1')
    expect(user({})).toBeUndefined()
  })

  it('uses culprit when there is no transaction, and the request method when there is one', () => {
    const report = mapEvent(
      { culprit: 'app.views.pay', platform: 'javascript', request: { method: 'PUT', url: 'u' } },
      context,
    )!
    expect(report.event!.transaction).toBe('app.views.pay')
    expect(report.request_method).toBe('PUT')
  })
})

describe('sentryTime', () => {
  it('reads RFC 3339 strings (UTC without a zone) and epoch seconds', () => {
    expect(sentryTime('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'))
    expect(sentryTime('2026-01-01T00:00:00.250Z')).toBe(Date.parse('2026-01-01T00:00:00.250Z'))
    expect(sentryTime('2026-01-01T02:00:00+02:00')).toBe(Date.parse('2026-01-01T00:00:00Z'))
    expect(sentryTime('2026-01-01T00:00:00')).toBe(Date.parse('2026-01-01T00:00:00Z'))
    expect(sentryTime('2026-01-01T00:00:00.123456')).toBe(Date.parse('2026-01-01T00:00:00.123Z'))
    expect(sentryTime(1767225600.5)).toBe(1767225600500)
    expect(sentryTime(1767225600)).toBe(1767225600000)
    expect(sentryTime('1767225600.5')).toBe(1767225600500)
  })

  it('refuses what is not a time a Date can hold', () => {
    for (const value of [undefined, null, '', 'yesterday', 0, -5, '-5', 1e300, '1e300', Number.NaN, {}, []]) {
      expect(sentryTime(value), String(value)).toBeUndefined()
    }
  })
})

describe('tracebackText', () => {
  it('writes the chain raised-first, frames newest-first; only the message without exceptions', () => {
    expect(
      tracebackText(
        [
          { type: 'IOError', value: 'disk', frames: [{ module: 'io', lineno: 1 }] },
          { type: 'AppError', value: '', frames: [{ filename: 'a.js', function: 'f', lineno: 2, colno: 3 }] },
        ],
        undefined,
      ),
    ).toBe('AppError\n    at f (a.js:2:3)\nCaused by: IOError: disk\n    at io:1')
    expect(tracebackText([], 'just a message')).toBe('just a message')
    expect(tracebackText([], undefined)).toBe('')
  })
})

describe('mapLogs', () => {
  it('maps levels, flattens attributes and keeps the trace id', () => {
    const logs = mapLogs(
      {
        items: [
          {
            timestamp: 1767225600.5,
            level: 'warn',
            body: 'slow',
            trace_id: 'abc',
            severity_number: 13,
            attributes: { plain: 1, typed: { value: 'x', type: 'string' }, 'service.name': { value: 'api' } },
          },
          { level: 'trace', body: 'a' },
          { level: 'debug', body: 'b' },
          { level: 'info', body: 'c' },
          { level: 'warning', body: 'd' },
          { level: 'ERROR', body: 'e' },
          { level: 'fatal', body: 'f' },
          { level: 'constructor', body: 'g' },
          { level: '__proto__', body: 'h' },
          { body: null },
          'junk',
        ],
      },
      context,
    )
    expect(logs[0]).toEqual({
      message: 'slow',
      container: 'api',
      timestamp: 1767225600500,
      stream: 'sentry',
      level: 'WARNING',
      attributes: { plain: 1, typed: 'x', 'service.name': 'api', trace_id: 'abc', severity_number: 13 },
    })
    expect(logs.slice(1).map((entry) => entry.level)).toEqual([
      'DEBUG',
      'DEBUG',
      'INFO',
      'WARNING',
      'ERROR',
      'CRITICAL',
      undefined,
      undefined,
      undefined,
    ])
    expect(logs.at(-1)).toMatchObject({ message: '""', container: 'shop', timestamp: NOW })
    expect(mapLogs({ items: 'x' }, context)).toEqual([])
    expect(mapLogs(null, context)).toEqual([])
  })
})

describe('metrics', () => {
  it('counts session updates and aggregates', () => {
    const attrs = { release: 'r@1', environment: 'prod' }
    expect(mapSessions('session', { init: true, status: 'ok', attrs }, context)).toMatchObject([
      { name: 'sentry_sessions_started_total', value: 1, labels: attrs, timestamp: NOW },
    ])
    expect(mapSessions('session', { status: 'ok', attrs }, context)).toEqual([])
    expect(mapSessions('session', { status: 'bogus', attrs }, context)).toEqual([])
    expect(
      mapSessions('session', { status: 'abnormal', did: 'u', timestamp: '2026-01-01T00:00:00Z' }, context),
    ).toMatchObject([
      {
        name: 'sentry_sessions_total',
        labels: { status: 'abnormal' },
        timestamp: Date.parse('2026-01-01T00:00:00Z'),
      },
      { name: 'sentry_session_users_total', labels: { status: 'abnormal' } },
    ])
    const aggregates = mapSessions(
      'sessions',
      { attrs, aggregates: [{ started: '2026-01-01T00:00:00Z', exited: 3, crashed: 1, errored: 1.5 }, 'x'] },
      context,
    )
    expect(aggregates.map((point) => [point.name, point.labels.status, point.value])).toEqual([
      ['sentry_sessions_total', 'exited', 3],
      ['sentry_sessions_total', 'crashed', 1],
      ['sentry_sessions_started_total', undefined, 4],
    ])
  })

  it('counts client reports with a positive quantity', () => {
    expect(
      mapClientReport(
        {
          discarded_events: [
            { reason: 'ratelimit_backoff', category: 'error', quantity: 2 },
            { reason: 'x', quantity: -1 },
            { quantity: 1 },
          ],
        },
        context,
      ).map((point) => [point.labels, point.value]),
    ).toEqual([
      [{ reason: 'ratelimit_backoff', category: 'error' }, 2],
      [{ reason: 'unknown', category: 'unknown' }, 1],
    ])
  })

  it('turns transactions into RED metrics; only http.server ones into the HTTP metrics', () => {
    const server = mapTransaction(
      {
        transaction: 'POST /api/orders',
        start_timestamp: 1767225600,
        timestamp: 1767225600.5,
        contexts: { trace: { op: 'http.server', status: 'internal_error' } },
        tags: { 'http.status_code': '503' },
      },
      context,
    )
    expect(server.find((point) => point.name === 'http_requests_total')).toMatchObject({
      labels: { method: 'POST', status: '503', endpoint: '/api/orders', source: 'sentry' },
    })
    expect(server.find((point) => point.name === 'http_request_duration_seconds')!.value).toBe(0.5)
    const task = mapTransaction(
      { transaction: 'nightly', start_timestamp: 1, timestamp: 2, contexts: { trace: { op: 'task' } } },
      context,
    )
    expect(task.map((point) => point.name)).toEqual([
      'sentry_transactions_total',
      'sentry_transaction_duration_seconds',
    ])
    for (const broken of [
      { start_timestamp: 2, timestamp: 1 },
      { start_timestamp: 1 },
      { start_timestamp: 1, timestamp: 1e300 },
      'x',
    ]) {
      expect(mapTransaction(broken, context)).toEqual([])
    }
  })

  it('counts segment spans as transactions', () => {
    const points = mapSpans(
      {
        items: [
          {
            name: 'GET /health',
            start_timestamp: 1,
            end_timestamp: 1.1,
            is_segment: true,
            attributes: {
              'sentry.op': { value: 'http.server' },
              'http.response.status_code': { value: 204 },
            },
          },
          { name: 'db', start_timestamp: 1, end_timestamp: 2, is_segment: false },
        ],
      },
      context,
    )
    expect(points.map((point) => point.name)).toEqual([
      'sentry_transactions_total',
      'sentry_transaction_duration_seconds',
      'http_requests_total',
      'http_request_duration_seconds',
    ])
    expect(points[2]!.labels).toMatchObject({ method: 'GET', status: '204', endpoint: '/health' })
  })

  it('maps a check-in, or nothing without a slug and a status', () => {
    const mapped = mapCheckIn({ monitor_slug: 'backup', status: 'ok', duration: 1.25 }, context)!
    expect(mapped.metric).toMatchObject({
      name: 'sentry_check_ins_total',
      labels: { monitor_slug: 'backup', status: 'ok' },
    })
    expect(mapped.log).toMatchObject({
      message: 'check-in backup: ok (1.250 s)',
      level: 'INFO',
      timestamp: NOW,
    })
    expect(mapCheckIn({ monitor_slug: 'backup' }, context)).toBeUndefined()
    expect(mapCheckIn([], context)).toBeUndefined()
  })
})
