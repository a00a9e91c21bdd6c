import './theme.css'

/**
 * @module @monlight/ui-kit
 *
 * What every module UI shares: DOM building that escapes by construction, API calls with the key dialog,
 * formatting, URL-mirrored filter state, auto-refresh, and `theme.css` (light and dark).
 */
export { type Api, ApiError, askForApiKey, createApi, forgetApiKey, type Query } from './api.js'
export { $, debounce, h, render } from './dom.js'
export {
  formatDateTime,
  formatNumber,
  parseDuration,
  sinceIso,
  sinceParam,
  timeAgo,
  toDate,
} from './format.js'
export { MODULES_META, moduleNav } from './nav.js'
export { type AutoRefresh, createAutoRefresh } from './refresh.js'
export { readUrlState, writeUrlState } from './url-state.js'
