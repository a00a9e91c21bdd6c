/**
 * @module @monlight/core/adapters/koa
 *
 * Mount a Monlight app in Koa 3 under a prefix. Koa has no mount paths of its own, so the middleware takes the
 * prefix, answers the requests under it and passes every other request on. Register it **before**
 * koa-bodyparser, which would otherwise consume the body first (`BODY_ALREADY_READ`).
 *
 * @example
 * import Koa from 'koa'
 * import { toKoaMiddleware } from '@monlight/core/adapters/koa'
 * const app = new Koa()
 * app.use(toKoaMiddleware(errors.router, { prefix: '/monlight' }))
 */
import type { Middleware } from 'koa'
import { toNodeListener } from './node.js'
import { type FetchApp, normalizePrefix, type PrefixOptions } from './prefix.js'

export type { FetchApp, PrefixOptions } from './prefix.js'

export function toKoaMiddleware(app: FetchApp, options: PrefixOptions = {}): Middleware {
  const base = normalizePrefix(options.prefix)
  const handle = toNodeListener(app, { prefix: base })
  return async (ctx, next) => {
    if (base && ctx.path !== base && !ctx.path.startsWith(`${base}/`)) return next()
    // The app writes the response to the raw Node response itself.
    ctx.respond = false
    await handle(ctx.req, ctx.res)
  }
}
