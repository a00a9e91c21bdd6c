/**
 * The script-tag bundle: global `MonlightSDK` with `init` (as upstream). Starts itself when `window.MonlightConfig`
 * is set and puts the client on `window.Monlight`. The global is set by hand, not by esbuild's `globalName`,
 * whose export helpers would cost ~150 bytes gzipped.
 */
import { init } from './init.js'
import type { MonlightClient, MonlightConfig } from './types.js'

const page = window as Window & {
  MonlightSDK?: { init: typeof init }
  MonlightConfig?: MonlightConfig
  Monlight?: MonlightClient
}
page.MonlightSDK = { init }
// A bad MonlightConfig throws here, as an uncaught error in this script only: the page's own scripts run on.
if (page.MonlightConfig) page.Monlight = init(page.MonlightConfig)
