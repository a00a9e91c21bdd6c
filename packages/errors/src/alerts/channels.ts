import { createTransport } from 'nodemailer'
import type { AlertMessage } from './message.js'

/** Somewhere alerts go. `send` rejects with an error saying why delivery failed. */
export interface AlertChannel {
  readonly name: 'smtp' | 'postmark' | 'webhook'
  /** How a person calls it, in test alerts: `SMTP`, `Postmark`, `Slack`, `Discord`, `Webhook`. */
  readonly label: string
  /** Why this channel cannot send (e.g. no recipients), checked before every send and by the test alert. */
  readonly problem?: string
  send(message: AlertMessage): Promise<void>
}

export interface SmtpOptions {
  host: string
  port: number
  /** Implicit TLS from the first byte; default: port 465. Other ports upgrade with STARTTLS when offered. */
  secure?: boolean
  /** AUTH only when both are set, as upstream. */
  username?: string
  password?: string
  from: string
  to: string[]
  /** Socket timeouts in ms (upstream had none). */
  timeoutMs: number
  /** Passed to TLS, e.g. `{ rejectUnauthorized: false }` for a self-signed test server. */
  tls?: Record<string, unknown>
}

/** Email through SMTP with nodemailer: Date and Message-ID headers, dot-stuffing, STARTTLS or implicit TLS. */
export function smtpChannel(options: SmtpOptions): AlertChannel {
  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? options.port === 465,
    auth:
      options.username && options.password ? { user: options.username, pass: options.password } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    tls: options.tls,
    name: 'localhost',
  })
  return {
    name: 'smtp',
    label: 'SMTP',
    problem: options.to.length === 0 ? 'SMTP not configured: ALERT_EMAILS is not set' : undefined,
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: options.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      })
    },
  }
}

export interface PostmarkOptions {
  token: string
  from: string
  to: string[]
  /** Default `https://api.postmarkapp.com`. */
  baseUrl: string
  timeoutMs: number
}

/** Email through Postmark's HTTP API (`POST /email`). */
export function postmarkChannel(options: PostmarkOptions): AlertChannel {
  return {
    name: 'postmark',
    label: 'Postmark',
    problem: options.to.length === 0 ? 'Postmark not configured: ALERT_EMAILS is not set' : undefined,
    async send(message) {
      await postJson(
        `${options.baseUrl.replace(/\/+$/, '')}/email`,
        {
          From: options.from,
          To: options.to.join(','),
          Subject: message.subject,
          TextBody: message.text,
          HtmlBody: message.html,
          MessageStream: 'outbound',
        },
        { 'x-postmark-server-token': options.token },
        options.timeoutMs,
      )
    },
  }
}

export type WebhookFormat = 'json' | 'slack' | 'discord'

export interface WebhookOptions {
  url: string
  /** `json` (default): the alert's fields; `slack`: `{ text }`; `discord`: `{ content }`. */
  format: WebhookFormat
  timeoutMs: number
}

/** A JSON POST to any URL; Slack and Discord incoming webhooks take the `slack` / `discord` formats. */
export function webhookChannel(options: WebhookOptions): AlertChannel {
  return {
    name: 'webhook',
    label: { json: 'Webhook', slack: 'Slack', discord: 'Discord' }[options.format],
    async send(message) {
      await postJson(options.url, webhookPayload(message, options.format), {}, options.timeoutMs)
    },
  }
}

export function webhookPayload(message: AlertMessage, format: WebhookFormat): Record<string, unknown> {
  const error = message.error
  // Slack reads <, > and & as markup: escape them in our text.
  if (format === 'slack') return { text: `${slackEscape(message.subject)}\n<${message.link}|View error>` }
  if (format === 'discord') return { content: `${message.subject}\n${message.link}`.slice(0, 2000) }
  return {
    event: message.kind === 'test' ? 'test' : `error.${message.kind}`,
    subject: message.subject,
    url: message.link,
    error: error && {
      id: error.id,
      project: error.project,
      exception_type: error.exception_type,
      message: error.message,
      count: error.count,
      environment: error.environment,
      request_method: error.request_method,
      request_url: error.request_url,
    },
  }
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 300)
    throw new Error(`${url} answered ${response.status}${detail ? `: ${detail}` : ''}`)
  }
  await response.body?.cancel().catch(() => {})
}
