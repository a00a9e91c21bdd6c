/**
 * @module @monlight/core/adapters/express
 *
 * Mount a Monlight app in Express 5. Express removes the mount path from `req.url`, so the app sees its own
 * routes. Mount it **before** `express.json()` or any other body parser: a parser that has already read the
 * body leaves nothing for Monlight, and requests with a body then fail with `BODY_ALREADY_READ`.
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
import type { FetchApp } from './prefix.js'

export type { FetchApp } from './prefix.js'

export type ExpressMiddleware = (req: Request, res: Response, next: NextFunction) => void

export function toExpressMiddleware(app: FetchApp): ExpressMiddleware {
  const handle = toNodeListener(app)
  return (req, res, next) => {
    handle(req, res).catch(next)
  }
}
