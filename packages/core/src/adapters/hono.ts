/**
 * @module @monlight/core/adapters/hono
 *
 * Mount a Monlight app in Hono 4. The handler passes Hono's raw `Request` straight to the app, which strips
 * the prefix itself: several times faster than `hono.mount()`, which rebuilds every request. Read no body in
 * Hono middleware before it (`c.req.json()` drains the stream: `BODY_ALREADY_READ`).
 *
 * @example
 * import { Hono } from 'hono'
 * import { toHonoHandler } from '@monlight/core/adapters/hono'
 * const app = new Hono()
 * app.all('/monlight/*', toHonoHandler(errors.router, { prefix: '/monlight' }))
 */
import type { Context } from 'hono'
import { type FetchApp, type PrefixOptions, withPrefix } from './prefix.js'

export type { FetchApp, PrefixOptions } from './prefix.js'

export function toHonoHandler(app: FetchApp, options: PrefixOptions = {}): (c: Context) => Promise<Response> {
  const { fetch } = withPrefix(app, options.prefix)
  return async (c) => fetch(c.req.raw)
}
