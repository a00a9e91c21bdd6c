import { createClient } from './client.js'
import { breadcrumbsIntegration } from './integrations/breadcrumbs.js'
import { consoleIntegration } from './integrations/console.js'
import { errorsIntegration } from './integrations/errors.js'
import { networkIntegration } from './integrations/network.js'
import { webVitalsIntegration } from './integrations/web-vitals.js'
import type { MonlightClient, MonlightConfig } from './types.js'

/**
 * Upstream-compatible setup with every feature: errors, breadcrumbs, Web Vitals (`sampleRate`), network timing
 * and console breadcrumbs (console errors too with `captureConsole`). Throws when `dsn` or the endpoint is missing, as upstream does.
 * For a smaller bundle, pick features with `createClient(config, [...])`.
 */
export function init(config: MonlightConfig): MonlightClient {
  return createClient(config, [
    errorsIntegration(),
    breadcrumbsIntegration(),
    consoleIntegration(),
    networkIntegration(),
    webVitalsIntegration(),
  ])
}
