/**
 * @module @monlight/node/express
 *
 * One line for Express 4 or 5: request count and latency per route template, and unhandled errors reported with their
 * request context.
 *
 * @example
 * import { setupMonlight } from '@monlight/node/express'
 * const app = express()
 * setupMonlight(app, { errorTrackerUrl: 'http://localhost:5010', metricsCollectorUrl: 'http://localhost:5012', apiKey })
 */
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express'
import type { MetricsClient } from '../metrics/metrics-client.js'
import { isServerError, recordRequest, secondsSince } from '../request-metrics.js'
import { createMonlight, embeddedMounts, lazily, type Monlight, type MonlightSetupOptions } from '../setup.js'

export type { Monlight, MonlightSetupOptions } from '../setup.js'

/**
 * Adds Monlight to an Express app: call it before your routes. Requests are timed around `app.handle` rather than
 * by one more middleware layer (cheaper per request). The error reporter is placed in front of your own error
 * handlers when the first request arrives (after every route is registered), and passes the error on, so your
 * handlers still decide the response. Embedded modules are mounted first, before any body parser.
 */
export function setupMonlight(app: Express, options: MonlightSetupOptions): Monlight {
  const monlight = createMonlight(options)
  for (const [path, module] of embeddedMounts(monlight, options.embedded)) {
    const serve = lazily(() =>
      import('@monlight/core/adapters/express').then(({ toExpressMiddleware }) =>
        toExpressMiddleware(module.router),
      ),
    )
    app.use(path, (req, res, next) => void serve(req, res, next).catch(next))
  }
  const errorHandler = monlightErrorHandler(monlight)
  const record = monlight.metricsClient ? requestRecorder(monlight, monlight.metricsClient) : undefined
  const routed = app as unknown as { handle(req: Request, res: Response, next?: NextFunction): void }
  const handle = routed.handle
  let placed = false
  routed.handle = function (req, res, next) {
    if (!placed) {
      placed = true
      placeErrorHandler(app, errorHandler)
    }
    record?.(req, res)
    return handle.call(this, req, res, next)
  }
  return monlight
}

/** Records `http_requests_total` and `http_request_duration_seconds` for each request, as a middleware. */
export function monlightMiddleware(monlight: Monlight): RequestHandler {
  const record = monlight.metricsClient ? requestRecorder(monlight, monlight.metricsClient) : undefined
  return (req, res, next) => {
    record?.(req, res)
    next()
  }
}

/** Where a request's start time waits for its `finish` event. */
const STARTED = Symbol('monlight.started')
type TimedResponse = Response & { [STARTED]: number }

function requestRecorder(monlight: Monlight, metrics: MetricsClient): (req: Request, res: Response) => void {
  const skip = monlight.mountPath ? `${monlight.mountPath}/` : undefined
  // One listener function for every response, its start time kept on the response: no closure and no `once`
  // wrapper per request.
  function onFinish(this: TimedResponse) {
    const req = this.req
    recordRequest(metrics, {
      method: req.method,
      route: routeTemplate(req),
      path: req.originalUrl ?? req.url,
      status: this.statusCode,
      seconds: secondsSince(this[STARTED]),
    })
  }
  return (req, res) => {
    if (skip && req.url.startsWith(skip)) return
    ;(res as TimedResponse)[STARTED] = performance.now()
    res.on('finish', onFinish)
  }
}

/** Reports server errors (no status, or ≥ 500) with the request, then passes them to the next error handler. */
export function monlightErrorHandler(monlight: Monlight): ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (monlight.errorClient && isServerError(error)) {
      monlight.errorClient.capture(error, {
        url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
        method: req.method,
        headers: req.headers,
        extra: { route: routeTemplate(req), params: req.params, query: req.query },
      })
    }
    next(error)
  }
}

function routeTemplate(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path
  // `baseUrl` is unset outside a mounted router in some Express versions: never `undefined/boom`.
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined
}

interface Layer {
  handle: { length: number }
}

/** Puts the handler before the first error handler (4 arguments) registered after it, or last. */
function placeErrorHandler(app: Express, handler: ErrorRequestHandler): void {
  app.use(handler)
  // Express 4 keeps its router in `_router` (and throws on reading `router`); Express 5 in `router`.
  const internals = app as unknown as { _router?: { stack: Layer[] }; router: { stack: Layer[] } }
  const stack = (internals._router ?? internals.router).stack
  const ours = stack.pop() as Layer
  const firstErrorHandler = stack.findIndex((layer) => layer.handle.length === 4)
  stack.splice(firstErrorHandler === -1 ? stack.length : firstErrorHandler, 0, ours)
}
