import { h } from './dom.js'

/** The `<meta>` the standalone server adds to module pages: module name → where its UI is. */
export const MODULES_META = 'monlight-modules'
const LABELS: Record<string, string> = { errors: 'Errors', logs: 'Logs', metrics: 'Metrics', relay: 'Relay' }

/**
 * Links to the other modules of the stack this page is part of, for the page header; null when the page runs
 * alone (an embedded module, no meta). A location is a path relative to this module's root (`../logs/`, the
 * single-port layout) or `:<port>/`, which keeps this page's host (the modules on their own ports).
 */
export function moduleNav(current: string): HTMLElement | null {
  const content = document.querySelector(`meta[name="${MODULES_META}"]`)?.getAttribute('content')
  let modules: Record<string, string>
  try {
    modules = content ? (JSON.parse(content) as Record<string, string>) : {}
  } catch {
    return null
  }
  const names = Object.keys(modules)
  if (names.length < 2) return null
  const href = (where: string) =>
    where.startsWith(':') ? `${location.protocol}//${location.hostname}${where}` : where
  return h(
    'nav',
    { class: 'module-nav', 'aria-label': 'Monlight modules' },
    names.map((name) =>
      h(
        'a',
        {
          href: name === current ? './' : href(modules[name]!),
          ...(name === current && { 'aria-current': 'page' }),
        },
        LABELS[name] ?? name,
      ),
    ),
  )
}
