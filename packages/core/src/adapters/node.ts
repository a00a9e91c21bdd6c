/**
 * @module @monlight/core/adapters/node
 *
 * Serve a Monlight app (or module) with `node:http`.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { toNodeListener } from '@monlight/core/adapters/node'
 * createServer(toNodeListener(errors.router)).listen(5010)
 * // or under a prefix:
 * createServer(toNodeListener(errors.router, { prefix: '/monlight' })).listen(3000)
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { toNodeHandler } from 'srvx/node'
import { type FetchApp, type PrefixOptions, withPrefix } from './prefix.js'

export type { FetchApp, PrefixOptions } from './prefix.js'

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** A `node:http` request listener answering with `app`, optionally under `options.prefix`. */
export function toNodeListener(app: FetchApp, options: PrefixOptions = {}): NodeListener {
  // srvx types its handler for http and http2 at once; a node:http pair is what it handles here.
  const handle = toNodeHandler(withPrefix(app, options.prefix).fetch) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => Promise<void> | void
  return async (req, res) => {
    await handle(req, res)
  }
}
