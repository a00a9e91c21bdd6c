import { recordMetric } from '../metrics.js'
import type { Integration } from '../types.js'
import { guard, sanitizeUrl } from '../util.js'

/**
 * fetch and XHR: `browser_http_requests_total` and `browser_http_request_duration_ms` by method, status ("0" when
 * the request failed) and host; 5xx and failed requests are reported as errors with `context.type:
 * "NetworkError"`. URLs are sanitised (ids replaced, query dropped); requests to the relay are left alone.
 */
export const networkIntegration = (): Integration => (hub) => {
  const endpoint = hub.config.endpoint
  /** The relay's own requests, whether the page wrote them relative or absolute. */
  const isOwn = (url: string) => {
    try {
      return `${new URL(url, location.href)}/`.startsWith(`${endpoint}/`)
    } catch {}
  }
  const record = guard(
    (kind: 'fetch' | 'xhr', method: string, url: string, status: number, start: number, failure?: string) => {
      const clean = sanitizeUrl(url, location.href)
      const labels = { method, status: `${status}`, host: clean.split('/')[2]! }
      recordMetric(hub, 'browser_http_requests_total', 'counter', 1, labels)
      recordMetric(hub, 'browser_http_request_duration_ms', 'histogram', performance.now() - start, labels)
      hub.crumb(kind, `${method} ${clean} ${status}`)
      if (status >= 500 || !status)
        hub.captureEvent(
          'Error',
          `${method} ${clean} ${failure ? `network error: ${failure}` : `failed with status ${status}`}`,
          '',
          { type: 'NetworkError' },
        )
    },
  )

  hub.patch(window, 'fetch', (original) => (input, init) => {
    const url = (input as Request).url ?? `${input}`
    if (isOwn(url)) return original(input, init)
    const method = `${init?.method ?? (input as Request).method ?? 'GET'}`.toUpperCase()
    const start = performance.now()
    return original(input, init).then(
      (response) => {
        record('fetch', method, url, response.status, start)
        return response
      },
      (error) => {
        // The page aborted it on purpose: not a failure worth an error event.
        if (error?.name !== 'AbortError') record('fetch', method, url, 0, start, error?.message ?? `${error}`)
        throw error
      },
    )
  })

  const requests = new WeakMap<XMLHttpRequest, [method: string, url: string]>()
  const proto = XMLHttpRequest.prototype
  hub.patch(
    proto,
    'open',
    (original) =>
      function (this: XMLHttpRequest, ...args: any[]) {
        requests.set(this, [args[0].toUpperCase(), `${args[1]}`])
        return original.apply(this, args as Parameters<typeof original>)
      },
  )
  hub.patch(
    proto,
    'send',
    (original) =>
      function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
        const request = requests.get(this)
        if (request && !isOwn(request[1])) {
          const start = performance.now()
          this.addEventListener('loadend', () => record('xhr', ...request, this.status, start))
        }
        return original.call(this, body)
      },
  )
}
