/**
 * @module @monlight/node/koa
 *
 * One line for Koa 3: request count and latency per route template (from @koa/router), and unhandled errors
 * reported with their request context.
 *
 * @example
 * import { setupMonlight } from '@monlight/node/koa'
 * const app = new Koa()
 * setupMonlight(app, { errorTrackerUrl: 'http://localhost:5010', metricsCollectorUrl: 'http://localhost:5012', apiKey })
 */
import type Koa from 'koa'
import type { Context, Middleware } from 'koa'
import { isServerError, recordRequest, secondsSince } from '../request-metrics.js'
import { createMonlight, embeddedMounts, lazily, type Monlight, type MonlightSetupOptions } from '../setup.js'

export type { Monlight, MonlightSetupOptions } from '../setup.js'

/** Adds Monlight to a Koa app: call it before your other middleware so it sees every request and error. */
export function setupMonlight(app: Koa, options: MonlightSetupOptions): Monlight {
  const monlight = createMonlight(options)
  for (const [path, module] of embeddedMounts(monlight, options.embedded)) {
    app.use(
      lazily(() =>
        import('@monlight/core/adapters/koa').then(({ toKoaMiddleware }) =>
          toKoaMiddleware(module.router, { prefix: path }),
        ),
      ),
    )
  }
  app.use(monlightMiddleware(monlight))
  return monlight
}

/** Records request metrics and reports errors that escape the downstream middleware, then rethrows them. */
export function monlightMiddleware(monlight: Monlight): Middleware {
  const { metricsClient: metrics, errorClient } = monlight
  const skip = monlight.mountPath ? `${monlight.mountPath}/` : undefined
  return async (ctx, next) => {
    if (skip && ctx.path.startsWith(skip)) return next()
    const start = performance.now()
    let status = 0
    try {
      await next()
      status = ctx.status
    } catch (error) {
      const exposed = (error as { status?: unknown }).status
      status = typeof exposed === 'number' ? exposed : 500
      if (errorClient && isServerError(error)) {
        errorClient.capture(error, {
          url: ctx.href,
          method: ctx.method,
          headers: ctx.headers,
          extra: {
            route: routeTemplate(ctx),
            params: (ctx as { params?: unknown }).params,
            query: ctx.query,
          },
        })
      }
      throw error
    } finally {
      if (metrics) {
        recordRequest(metrics, {
          method: ctx.method,
          route: routeTemplate(ctx),
          path: ctx.path,
          status: status || ctx.status,
          seconds: secondsSince(start),
        })
      }
    }
  }
}

/** @koa/router sets `_matchedRoute` (and `routePath` in newer versions) to the template of the matched route. */
function routeTemplate(ctx: Context): string | undefined {
  const state = ctx as unknown as { _matchedRoute?: unknown; routePath?: unknown }
  const route = state._matchedRoute ?? state.routePath
  return typeof route === 'string' ? route : undefined
}
