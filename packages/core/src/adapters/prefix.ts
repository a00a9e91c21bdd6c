import { H3 } from 'h3'
import { renderError } from '../http/render-error.js'

/** Anything that answers a web `Request`: an h3 app, a Monlight module, a Hono app. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>
}

export interface PrefixOptions {
  /** Path the app is mounted under, e.g. `/monlight`. The app itself sees paths relative to it. */
  prefix?: string
}

/**
 * Serves `app` under `prefix`: requests below it reach the app with the prefix removed, others get our 404.
 * Mounting the app's `fetch` (rather than merging its routes) keeps the app's own error mapper and middleware.
 */
export function withPrefix(app: FetchApp, prefix: string | undefined): FetchApp {
  const base = normalizePrefix(prefix)
  if (!base) return app
  return new H3({ silent: true, onError: (error) => renderError(error) })
    .use((event, next) => (event.url.pathname === base ? (trailingSlash(event.req, base) ?? next()) : next()))
    .mount(base, { fetch: (request: Request) => app.fetch(request) })
}

/**
 * A page request for the bare mount path (`/monlight/errors`) is sent to `/monlight/errors/`: module UIs load
 * their assets by relative URLs, which resolve under the mount only with the trailing slash. Undefined for other
 * methods.
 */
export function trailingSlash(request: Request, path: string): Response | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined
  return new Response(null, {
    status: 308,
    headers: { location: slashLocation(path, new URL(request.url).search) },
  })
}

/** The redirect target of {@link trailingSlash}: relative, so it stays right behind a proxy adding its own prefix. */
export function slashLocation(path: string, search: string): string {
  return `${path.slice(path.lastIndexOf('/') + 1)}/${search}`
}

/** `monlight/` → `/monlight`; `/` or empty → `''` (no prefix). */
export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return ''
  const trimmed = prefix.replace(/\/+$/, '')
  if (!trimmed) return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}
