/**
 * @module @monlight/errors
 *
 * Error tracking for Node apps and the Monlight stack: ingest with upstream-compatible grouping, a read API,
 * alerts (SMTP, Postmark, webhooks), retention and a web UI. Mount `errors.router` in any app through the core
 * adapters, or report in-process with `errors.service.capture(error)`.
 */
import { createScheduler, type MonlightModule, migrate } from '@monlight/core'
import { type AlertChannel, postmarkChannel, smtpChannel, webhookChannel } from './alerts/channels.js'
import { createAlertDispatcher } from './alerts/dispatcher.js'
import { type ErrorsOptions, resolveErrorsOptions } from './options.js'
import { createErrorsRouter } from './router/router.js'
import { migrations } from './schema/migrations.js'
import { createErrorsService, DAY_MS, type ErrorsService } from './service/service.js'
import { importUpstreamErrors } from './store/import-upstream.js'
import { createErrorsStore } from './store/store.js'

export type { AlertChannel, WebhookFormat } from './alerts/channels.js'
export type { AlertMessage, ErrorAlert } from './alerts/message.js'
export { alertsOptionsSchema, type ErrorsOptions, errorsOptionsSchema } from './options.js'
export { migrations } from './schema/migrations.js'
export { fingerprint } from './service/fingerprint.js'
export { groupingKey } from './service/grouping.js'
export type {
  ErrorDetail,
  ErrorList,
  ErrorSummary,
  ErrorsService,
  EventSummary,
  IgnoreUntil,
  Occurrence,
} from './service/service.js'
export type { SpikeRule } from './service/spikes.js'
export type { CaptureContext } from './service/traceback.js'
export type { ListFilter } from './store/store.js'

export interface ErrorsModule extends MonlightModule<ErrorsService> {
  readonly service: ErrorsService
  /** Resolves once queued alerts are sent (or failed and logged). */
  alertsIdle(): Promise<void>
}

/**
 * The error tracker as a module: `migrate()`, then mount `router` (or call `fetch`), then `start()` the
 * retention job. Nothing runs on import or construction.
 *
 * @example
 * const errors = createErrors({ database, apiKeys: [process.env.MONLIGHT_API_KEY!] })
 * await errors.migrate()
 * app.use('/errors', toExpressMiddleware(errors.router))
 * const stop = errors.start()
 */
export function createErrors(input: ErrorsOptions & { uiDir?: string }): ErrorsModule {
  const { uiDir, ...rest } = input
  const options = resolveErrorsOptions(rest)
  const logger = options.logger
  const alerts = createAlertDispatcher({
    channels: alertChannels(options.alerts),
    baseUrl: options.baseUrl,
    perMinute: options.alerts.perMinute,
    queueSize: options.alerts.queueSize,
    logger,
    now: options.now,
  })
  const service = createErrorsService({
    store: createErrorsStore(options.database, { keepEvents: options.keepEvents, logger }),
    alerts,
    now: options.now,
    logger,
    project: options.project,
    retentionDays: options.retentionDays,
    keepEvents: options.keepEvents,
    spikes: options.alerts.spikes,
  })
  const router = createErrorsRouter({
    service,
    alerts,
    apiKeys: options.apiKeys,
    rateLimit: options.rateLimit,
    logger,
    uiDir,
  })

  return {
    name: 'errors',
    service,
    router,
    fetch: async (request) => router.fetch(request),
    migrate: () =>
      migrate(options.database.db, {
        module: 'errors',
        migrations,
        dialect: options.database.dialect,
        logger,
      }),
    start() {
      const stop = createScheduler({ name: 'errors', database: options.database, logger })
        .add({ name: 'retention', intervalMs: DAY_MS, run: () => service.applyRetention().then(() => {}) })
        .start()
      return async () => {
        await stop()
        await alerts.idle()
      }
    },
    alertsIdle: () => alerts.idle(),
    importUpstream: (source) => importUpstreamErrors(options.database, source, options.now()),
  }
}

function alertChannels(alerts: ReturnType<typeof resolveErrorsOptions>['alerts']): AlertChannel[] {
  const channels: AlertChannel[] = []
  if (alerts.smtp) channels.push(smtpChannel(alerts.smtp))
  if (alerts.postmark) channels.push(postmarkChannel(alerts.postmark))
  if (alerts.webhook) channels.push(webhookChannel(alerts.webhook))
  return channels
}
