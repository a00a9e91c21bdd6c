import type { MonlightModule } from '@monlight/core'
import { createErrors } from '@monlight/errors'
import type { ModuleContext } from '../modules.js'
import { envReader } from './env.js'

/**
 * Builds the errors module of the standalone stack. Upstream's variables: SMTP_HOST, SMTP_PORT, SMTP_USERNAME,
 * SMTP_PASSWORD, SMTP_FROM, ALERT_EMAILS, POSTMARK_API_TOKEN, POSTMARK_FROM_EMAIL, BASE_URL, RETENTION_DAYS,
 * RATE_LIMIT; ours: ALERT_WEBHOOK_URL, ALERT_WEBHOOK_FORMAT (json, slack, discord), ALERTS_PER_MINUTE,
 * ALERT_SPIKES (`events/minutes,…`, e.g. `100/5`), KEEP_EVENTS (events kept per group).
 */
export function createErrorsSlot(context: ModuleContext): MonlightModule {
  const env = envReader(context.env)
  const emails = env.list('ALERT_EMAILS')
  const smtpHost = env.text('SMTP_HOST')
  const postmarkToken = env.text('POSTMARK_API_TOKEN')
  const webhookUrl = env.url('ALERT_WEBHOOK_URL')
  if (emails.length > 0 && !smtpHost && !postmarkToken) {
    context.logger.warn(
      'ALERT_EMAILS is set but no mail channel is: set SMTP_HOST (and SMTP_FROM) or POSTMARK_API_TOKEN, or no alert is mailed',
    )
  }
  return createErrors({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    // Not checked, as upstream: it is only pasted into links (Vite even sets BASE_URL=/ in test runs).
    baseUrl: env.text('BASE_URL'),
    retentionDays: env.integer('RETENTION_DAYS', { min: 0 }),
    rateLimit: env.integer('RATE_LIMIT') ?? false,
    keepEvents: env.integer('KEEP_EVENTS', { min: 5, max: 10_000 }),
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
      spikes: parseSpikes(env.list('ALERT_SPIKES'), context),
    },
  })
}

/** `100/5,1000/60` → "100 events in 5 minutes", "1000 in 60"; a malformed entry is skipped with a warning. */
function parseSpikes(entries: string[], context: ModuleContext): { events: number; minutes: number }[] {
  return entries.flatMap((entry) => {
    const match = /^(\d{1,9})\/(\d{1,4})$/.exec(entry.trim())
    const events = Number(match?.[1])
    const minutes = Number(match?.[2])
    if (!match || events < 1 || minutes < 1 || minutes > 1440) {
      context.logger.warn(`ALERT_SPIKES: skipping '${entry.slice(0, 40)}' (use events/minutes, e.g. 100/5)`)
      return []
    }
    return [{ events, minutes }]
  })
}
