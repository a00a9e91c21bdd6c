/**
 * @module @monlight/core/adapters/fetch
 *
 * A `(Request) => Promise<Response>` handler for fetch runtimes (Bun, Deno, workers, Next.js route handlers)
 * and tests.
 *
 * @example
 * import { toFetchHandler } from '@monlight/core/adapters/fetch'
 * const handler = toFetchHandler(errors.router, { prefix: '/monlight' })
 * Deno.serve(handler)            // or: export default { fetch: handler }
 */
import { type FetchApp, type PrefixOptions, withPrefix } from './prefix.js'

export type { FetchApp, PrefixOptions } from './prefix.js'
export { trailingSlash } from './prefix.js'

export function toFetchHandler(
  app: FetchApp,
  options: PrefixOptions = {},
): (request: Request) => Promise<Response> {
  const { fetch } = withPrefix(app, options.prefix)
  return async (request) => fetch(request)
}
