import { MonlightConfigError, type MonlightModule } from '@monlight/core'
import type { Env } from '../config.js'
import type { ModuleContext } from '../modules.js'

// Loaded by name at run time so the server's bundle keeps @monlight/errors external: bundled, the module would
// look for its web UI (dist/ui) and nodemailer relative to the server's files.
const ERRORS_PACKAGE = '@monlight/errors'

/**
 * Builds the errors module of the standalone stack. Upstream's variables: SMTP_HOST, SMTP_PORT, SMTP_USERNAME,
 * SMTP_PASSWORD, SMTP_FROM, ALERT_EMAILS, POSTMARK_API_TOKEN, POSTMARK_FROM_EMAIL, BASE_URL, RETENTION_DAYS,
 * RATE_LIMIT; ours: ALERT_WEBHOOK_URL, ALERT_WEBHOOK_FORMAT (json, slack, discord), ALERTS_PER_MINUTE.
 */
export async function createErrorsSlot(context: ModuleContext): Promise<MonlightModule> {
  const { createErrors } = (await import(ERRORS_PACKAGE)) as typeof import('@monlight/errors')
  const env = context.env
  const emails = list(env.ALERT_EMAILS)
  const smtpHost = text(env.SMTP_HOST)
  const postmarkToken = text(env.POSTMARK_API_TOKEN)
  const webhookUrl = httpUrl(env, 'ALERT_WEBHOOK_URL')
  return createErrors({
    database: context.database,
    apiKeys: context.apiKeys,
    logger: context.logger,
    // Not checked, as upstream: it is only pasted into links (Vite even sets BASE_URL=/ in test runs).
    baseUrl: text(env.BASE_URL),
    retentionDays: integer(env, 'RETENTION_DAYS', 0),
    rateLimit: integer(env, 'RATE_LIMIT', 1) ?? false,
    alerts: {
      smtp: smtpHost
        ? {
            host: smtpHost,
            port: integer(env, 'SMTP_PORT', 1, 65535),
            username: text(env.SMTP_USERNAME),
            password: text(env.SMTP_PASSWORD),
            from: text(env.SMTP_FROM),
            to: emails,
          }
        : undefined,
      postmark: postmarkToken
        ? {
            token: postmarkToken,
            from: text(env.POSTMARK_FROM_EMAIL) ?? text(env.SMTP_FROM) ?? 'errors@example.com',
            to: emails,
          }
        : undefined,
      webhook: webhookUrl ? { url: webhookUrl, format: webhookFormat(env.ALERT_WEBHOOK_FORMAT) } : undefined,
      perMinute: integer(env, 'ALERTS_PER_MINUTE', 1),
    },
  })
}

function text(value: string | undefined): string | undefined {
  return value?.trim() || undefined
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

function integer(env: Env, name: string, min: number, max?: number): number | undefined {
  const value = text(env[name])
  if (value === undefined) return undefined
  const parsed = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
  if (!(parsed >= min && parsed <= (max ?? Number.MAX_SAFE_INTEGER))) {
    const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`
    throw new MonlightConfigError(`${name}=${value} is invalid: use a whole number ${range}`)
  }
  return parsed
}

function httpUrl(env: Env, name: string): string | undefined {
  const value = text(env[name])
  if (value !== undefined && !/^https?:\/\/[^\s/]+/i.test(value)) {
    throw new MonlightConfigError(`${name}=${value} is invalid: use an http:// or https:// URL`)
  }
  return value
}

function webhookFormat(value: string | undefined): 'json' | 'slack' | 'discord' {
  const format = text(value)?.toLowerCase() ?? 'json'
  if (format === 'json' || format === 'slack' || format === 'discord') return format
  throw new MonlightConfigError(`ALERT_WEBHOOK_FORMAT=${value} is invalid: use json, slack or discord`)
}
