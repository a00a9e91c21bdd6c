/**
 * @module @monlight/node/http
 *
 * For a plain node:http server: wrap the request listener. node:http has no routes, so the `endpoint` label is
 * the path with ids replaced (`/users/:id`).
 *
 * @example
 * import { withMonlight } from '@monlight/node/http'
 * const { listener } = withMonlight(handler, { errorTrackerUrl, metricsCollectorUrl, apiKey })
 * http.createServer(listener).listen(3000)
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { isServerError, recordRequest, secondsSince } from '../request-metrics.js'
import { createMonlight, embeddedMounts, lazily, type Monlight, type MonlightSetupOptions } from '../setup.js'

export type { Monlight, MonlightSetupOptions } from '../setup.js'

type Listener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/**
 * Wraps `listener`: records each request, reports what it throws or rejects with (answering 500 when nothing
 * was sent yet), and serves embedded Monlight modules under their mount path.
 */
export function withMonlight(
  listener: Listener,
  options: MonlightSetupOptions,
): Monlight & { listener: RequestListener } {
  const monlight = createMonlight(options)
  const mounts = embeddedMounts(monlight, options.embedded).map(
    ([path, module]) =>
      [
        path,
        lazily(() =>
          import('@monlight/core/adapters/node').then(({ toNodeListener }) =>
            toNodeListener(module.router, { prefix: path }),
          ),
        ),
      ] as const,
  )
  const { metricsClient: metrics, errorClient } = monlight

  const wrapped: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/'
    const mount = mounts.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))
    if (mount) {
      mount[1](req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500)
        res.end()
      })
      return
    }
    const start = performance.now()
    if (metrics) {
      res.once('finish', () => {
        recordRequest(metrics, {
          method: req.method ?? 'GET',
          route: undefined,
          path,
          status: res.statusCode,
          seconds: secondsSince(start),
        })
      })
    }
    const fail = (error: unknown) => {
      if (errorClient && isServerError(error)) {
        errorClient.capture(error, {
          url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
          method: req.method,
          headers: req.headers,
        })
      }
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"detail":"Internal server error"}')
      } else if (!res.writableEnded) {
        res.destroy()
      }
    }
    try {
      const result = listener(req, res)
      if (result && typeof result.then === 'function') result.then(undefined, fail)
    } catch (error) {
      fail(error)
    }
  }
  return Object.assign(monlight, { listener: wrapped })
}
