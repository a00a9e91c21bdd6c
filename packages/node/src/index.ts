/**
 * @module @monlight/node
 *
 * The Node counterpart of the upstream Python client: an error client, a buffered metrics client and process
 * metrics. Framework setup lives in `@monlight/node/express`, `/koa`, `/hono` and `/http`.
 */

export { type Embedded, type EmbedOptions, embedMonlight } from './embed.js'
export { type DescribedError, describeError } from './errors/describe-error.js'
export { ErrorClient, type ErrorClientOptions, type RequestContext } from './errors/error-client.js'
export { DEFAULT_EXCLUDED_HEADERS, DEFAULT_SCRUB_KEYS, FILTERED } from './errors/scrub.js'
export {
  DROPPED_POINTS_METRIC,
  type Labels,
  MetricsClient,
  type MetricsClientOptions,
} from './metrics/metrics-client.js'
export { collectProcessMetrics, type ProcessMetricsOptions } from './metrics/process-metrics.js'
export {
  HTTP_REQUEST_DURATION_SECONDS,
  HTTP_REQUESTS_TOTAL,
  templatePath,
  UNMATCHED_ENDPOINT,
} from './request-metrics.js'
export { createMonlight, type EmbeddedModules, type Monlight, type MonlightSetupOptions } from './setup.js'
export { flushOnShutdown } from './shutdown.js'
export { type HttpTarget, httpErrorIngest, httpMetricsIngest, TransportError } from './transport.js'
