import type { MonlightModule } from '@monlight/core'
import { createErrors } from '@monlight/errors'
import type { ModuleContext } from '../modules.js'
import { envReader } from './env.js'

/**
 * Builds the errors module of the standalone stack. Upstream's variables: SMTP_HOST, SMTP_PORT, SMTP_USERNAME,
 * SMTP_PASSWORD, SMTP_FROM, ALERT_EMAILS, POSTMARK_API_TOKEN, POSTMARK_FROM_EMAIL, BASE_URL, RETENTION_DAYS,
 * RATE_LIMIT; ours: ALERT_WEBHOOK_URL, ALERT_WEBHOOK_FORMAT (json, slack, discord), ALERTS_PER_MINUTE.
 */
export function createErrorsSlot(context: ModuleContext): MonlightModule {
  const env = envReader(context.env)
  const emails = env.list('ALERT_EMAILS')
  const smtpHost = env.text('SMTP_HOST')
  const postmarkToken = env.text('POSTMARK_API_TOKEN')
  const webhookUrl = env.url('ALERT_WEBHOOK_URL')
  return createErrors({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    // Not checked, as upstream: it is only pasted into links (Vite even sets BASE_URL=/ in test runs).
    baseUrl: env.text('BASE_URL'),
    retentionDays: env.integer('RETENTION_DAYS', { min: 0 }),
    rateLimit: env.integer('RATE_LIMIT') ?? false,
    alerts: {
      smtp: smtpHost
        ? {
            host: smtpHost,
            port: env.integer('SMTP_PORT', { max: 65535 }),
            username: env.text('SMTP_USERNAME'),
            password: env.text('SMTP_PASSWORD'),
            from: env.text('SMTP_FROM'),
            to: emails,
          }
        : undefined,
      postmark: postmarkToken
        ? {
            token: postmarkToken,
            from: env.text('POSTMARK_FROM_EMAIL') ?? env.text('SMTP_FROM') ?? 'errors@example.com',
            to: emails,
          }
        : undefined,
      webhook: webhookUrl
        ? {
            url: webhookUrl,
            format: env.choice('ALERT_WEBHOOK_FORMAT', ['json', 'slack', 'discord'] as const) ?? 'json',
          }
        : undefined,
      perMinute: env.integer('ALERTS_PER_MINUTE'),
    },
  })
}
