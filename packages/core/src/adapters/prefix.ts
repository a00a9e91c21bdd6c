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
  return new H3({ silent: true, onError: (error) => renderError(error) }).mount(base, {
    fetch: (request: Request) => app.fetch(request),
  })
}

/** `monlight/` → `/monlight`; `/` or empty → `''` (no prefix). */
export function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return ''
  const trimmed = prefix.replace(/\/+$/, '')
  if (!trimmed) return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}
