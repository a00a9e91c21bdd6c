import { withKeyFragment } from './api.js'
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
  const otherOrigin = (where: string) => where.startsWith(':')
  const href = (where: string) =>
    otherOrigin(where) ? `${location.protocol}//${location.hostname}${where}` : where
  return h(
    'nav',
    { class: 'module-nav', 'aria-label': 'Monlight modules' },
    names.map((name) => {
      const where = modules[name]!
      return h(
        'a',
        {
          href: name === current ? './' : href(where),
          ...(name === current && { 'aria-current': 'page' }),
          // Another origin has its own localStorage: hand the key over on the way, so it is asked for once.
          ...(name !== current &&
            otherOrigin(where) && {
              onclick: (event: Event) => {
                const click = event as MouseEvent
                if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey) return
                event.preventDefault()
                location.assign(withKeyFragment(href(where)))
              },
            }),
        },
        LABELS[name] ?? name,
      )
    }),
  )
}
