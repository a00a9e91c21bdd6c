/**
 * @module @monlight/browser
 *
 * The browser SDK: errors, breadcrumbs, Web Vitals and network timing, sent to the Monlight relay.
 * `init(config)` turns everything on; `createClient(config, [errorsIntegration(), ...])` takes only what it is given.
 */
export { createClient } from './client.js'
export { init } from './init.js'
export { breadcrumbsIntegration } from './integrations/breadcrumbs.js'
export { consoleIntegration } from './integrations/console.js'
export { errorsIntegration } from './integrations/errors.js'
export { networkIntegration } from './integrations/network.js'
export { webVitalsIntegration } from './integrations/web-vitals.js'
export type {
  Breadcrumb,
  BrowserError,
  BrowserMetric,
  Hub,
  Integration,
  MonlightClient,
  MonlightConfig,
  ResolvedConfig,
} from './types.js'
