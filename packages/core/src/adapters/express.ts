/**
 * @module @monlight/core/adapters/express
 *
 * Mount a Monlight app in Express 4 or 5. Express removes the mount path from `req.url`, so the app sees its own
 * routes. Mount it **before** `express.json()` or any other body parser: a parser that has already read the
 * body leaves nothing for Monlight, and requests with a body then fail with `BODY_ALREADY_READ`. A page request for
 * the bare mount path is redirected to it with a trailing slash, under which the module UIs' relative URLs resolve.
 *
 * @example
 * import express from 'express'
 * import { toExpressMiddleware } from '@monlight/core/adapters/express'
 * const app = express()
 * app.use('/monlight', toExpressMiddleware(errors.router))
 * app.use(express.json())
 */
import type { NextFunction, Request, Response } from 'express'
import { toNodeListener } from './node.js'
import { type FetchApp, slashLocation } from './prefix.js'

export type { FetchApp } from './prefix.js'

export type ExpressMiddleware = (req: Request, res: Response, next: NextFunction) => void

export function toExpressMiddleware(app: FetchApp): ExpressMiddleware {
  const handle = toNodeListener(app)
  return (req, res, next) => {
    // Express strips the mount path: the bare mount path (`/monlight/errors`) arrives as `/`.
    const original = req.originalUrl ?? req.url
    const path = original.split('?', 1)[0]!
    if (
      req.url.split('?', 1)[0] === '/' &&
      !path.endsWith('/') &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      res.redirect(308, slashLocation(path, original.slice(path.length)))
      return
    }
    handle(req, res).catch(next)
  }
}
