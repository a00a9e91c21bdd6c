/**
 * @module @monlight/node/hono
 *
 * One line for Hono 4: request count and latency per route template, and errors reported with their request
 * context (your `onError` still decides the response).
 *
 * @example
 * import { setupMonlight } from '@monlight/node/hono'
 * const app = new Hono()
 * setupMonlight(app, { errorTrackerUrl: 'http://localhost:5010', metricsCollectorUrl: 'http://localhost:5012', apiKey })
 */
import type { Context, ErrorHandler, Hono } from 'hono'
import { isServerError, recordRequest, secondsSince } from '../request-metrics.js'
import { createMonlight, embeddedMounts, lazily, type Monlight, type MonlightSetupOptions } from '../setup.js'

export type { Monlight, MonlightSetupOptions } from '../setup.js'

type AnyHono = Hono<any, any, any>
type RouterMatch = [[[unknown, { path: string }], unknown][], unknown]

/**
 * Adds Monlight to a Hono app (call it before `serve()` or `export default app`). It adds no middleware: a Hono
 * middleware takes every request off Hono's synchronous fast path, which alone costs a third of a small app's
 * throughput. Instead it times `app.fetch` and reports through `app.errorHandler`, also when you set your own
 * with `app.onError()` later.
 */
export function setupMonlight(app: AnyHono, options: MonlightSetupOptions): Monlight {
  const monlight = createMonlight(options)
  for (const [path, module] of embeddedMounts(monlight, options.embedded)) {
    const serve = lazily(() =>
      import('@monlight/core/adapters/hono').then(({ toHonoHandler }) =>
        toHonoHandler(module.router, { prefix: path }),
      ),
    )
    app.all(path, serve)
    app.all(`${path}/*`, serve)
  }
  if (monlight.metricsClient) timeRequests(app, monlight)
  if (monlight.errorClient) reportErrors(app, monlight)
  return monlight
}

function timeRequests(app: AnyHono, monlight: Monlight): void {
  const metrics = monlight.metricsClient!
  const skip = monlight.mountPath ? `${monlight.mountPath}/` : undefined
  // Hono matches the route synchronously at the start of `fetch`: keeping that match is free, matching again is
  // not. It is read right after `fetch` returns, before any other request can run.
  // An accessor, because Hono's SmartRouter replaces its own `match` with the chosen router's on first use.
  const router = app.router as unknown as { match(method: string, path: string): RouterMatch }
  let match = router.match.bind(router)
  let lastMatch: RouterMatch | undefined
  const keepMatch = (method: string, path: string) => {
    lastMatch = match(method, path)
    return lastMatch
  }
  Object.defineProperty(router, 'match', {
    configurable: true,
    get: () => keepMatch,
    set: (replacement: typeof match) => {
      match = replacement
    },
  })
  const dispatch = app.fetch as (
    request: Request,
    env?: unknown,
    context?: unknown,
  ) => Response | Promise<Response>
  const record = (request: Request, matched: RouterMatch | undefined, response: Response, start: number) => {
    const route = routeOf(matched)
    // The path only matters without a route (404s, middleware answers) or when embedded modules are mounted.
    const path = route === undefined || skip ? app.getPath(request) : route
    if (skip && path.startsWith(skip)) return
    recordRequest(metrics, {
      method: request.method,
      route,
      path,
      status: response.status,
      seconds: secondsSince(start),
    })
  }
  app.fetch = (request: Request, env?: unknown, context?: unknown) => {
    const start = performance.now()
    lastMatch = undefined
    const result = dispatch(request, env, context)
    const matched = lastMatch
    if (result instanceof Promise) {
      return result.then((response) => {
        record(request, matched, response, start)
        return response
      })
    }
    record(request, matched, result, start)
    return result
  }
}

/** The path of the last route that matched (the handler that answered), or undefined when only middleware did. */
function routeOf(matched: RouterMatch | undefined): string | undefined {
  const handlers = matched?.[0]
  const route = handlers?.[handlers.length - 1]?.[0][1].path
  return route === undefined || route === '*' || route === '/*' ? undefined : route
}

function reportErrors(app: AnyHono, monlight: Monlight): void {
  const errors = monlight.errorClient!
  const report = (error: Error, c: Context) => {
    if (!isServerError(error)) return
    errors.capture(error, {
      url: c.req.url,
      method: c.req.method,
      headers: c.req.raw.headers,
      extra: { route: c.req.routePath, params: c.req.param() },
    })
  }
  // `app.onError(handler)` assigns `app.errorHandler`; an accessor keeps the report in front of any handler set
  // before or after this call.
  let handler = (app as unknown as { errorHandler: ErrorHandler }).errorHandler
  const wrapped: ErrorHandler = (error, c) => {
    report(error, c)
    return handler(error, c)
  }
  Object.defineProperty(app, 'errorHandler', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (value: ErrorHandler) => {
      handler = value
    },
  })
}
