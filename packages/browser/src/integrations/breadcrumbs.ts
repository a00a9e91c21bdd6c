import type { Breadcrumb, Integration } from '../types.js'
import { isoNow } from '../util.js'

/** The most recent breadcrumbs go with each error; older ones are dropped. */
const MAX_CRUMBS = 20

/** `button#save.primary`: tag, id and classes only, never the text (it may be personal data). */
const describe = (element: any): string =>
  element.tagName.toLowerCase() +
  (element.id ? `#${element.id}` : '') +
  [...element.classList].map((name) => `.${name}`).join('')

/**
 * Navigations (page path only) and clicks, plus the console calls and fetch/XHR calls that `consoleIntegration()`
 * and `networkIntegration()` see, attached to errors as `context.breadcrumbs`.
 */
export const breadcrumbsIntegration = (): Integration => (hub) => {
  const crumbs: Breadcrumb[] = []
  hub.crumbs = crumbs
  hub.crumb = (type, message) => {
    if (crumbs.push({ type, message: message.slice(0, 200), timestamp: isoNow() }) > MAX_CRUMBS)
      crumbs.shift()
  }
  let path = ''
  // replaceState often keeps the path (scroll state, query tweaks): only a new path is a navigation.
  const navigated = () => {
    if (path !== location.pathname) {
      path = location.pathname
      hub.crumb('navigation', path)
    }
  }
  navigated()
  hub.listen(window, 'popstate', navigated)
  for (const key of ['pushState', 'replaceState'] as const) {
    hub.patch(
      history,
      key,
      (original) =>
        function (this: History, ...args: Parameters<History['pushState']>) {
          original.apply(this, args)
          navigated()
        },
    )
  }
  hub.listen(document, 'click', (event: Event) => hub.crumb('click', describe(event.target)), true)
}
