/** What an alert is about: a new group, a resolved group that came back, or a test from `POST /api/test-alert`. */
export type AlertKind = 'created' | 'reopened' | 'spike' | 'test'

export interface ErrorAlert {
  kind: 'created' | 'reopened' | 'spike'
  /** For a spike: the rule it crossed. */
  spike?: { events: number; minutes: number }
  id: number
  project: string
  exception_type: string
  message: string
  traceback: string
  count: number
  request_method: string | null
  request_url: string | null
  environment: string | null
}

/** One rendering of an alert, shared by every channel. */
export interface AlertMessage {
  kind: AlertKind
  subject: string
  text: string
  html: string
  /** `{baseUrl}/errors/{id}`, or the dashboard for a test. */
  link: string
  /** The error, absent for a test. */
  error?: ErrorAlert
}

const SUBJECT_MESSAGE_CHARS = 80
const MAX_TRACEBACK_CHARS = 12 * 1024

/** Subject, plain text and HTML as upstream's email (§2.9), plus a "regressed" variant for reopened groups. */
export function errorAlertMessage(error: ErrorAlert, baseUrl: string): AlertMessage {
  const link = `${trimSlash(baseUrl)}/errors/${error.id}`
  const regressed = error.kind === 'reopened'
  const spike =
    error.kind === 'spike' && error.spike
      ? `${error.spike.events} events in ${error.spike.minutes} min`
      : undefined
  const kindName = spike ? 'Spike' : regressed ? 'Regression' : 'New error'
  const headline = `${kindName} in ${error.project}`
  // Cut by code points, never inside a UTF-8 sequence (upstream cut at 80 bytes).
  const shortMessage = Array.from(error.message.split('\n')[0] ?? '')
    .slice(0, SUBJECT_MESSAGE_CHARS)
    .join('')
  const subject = `[${error.project}] ${spike ? `Spike (${spike}): ` : regressed ? 'Regressed: ' : ''}${error.exception_type}: ${shortMessage} (#${error.id})`
  const traceback = truncateTraceback(error.traceback)
  const request =
    error.request_method && error.request_url ? `${error.request_method} ${error.request_url}` : undefined

  const text = [
    headline,
    '',
    `Error ID: #${error.id}`,
    `Detail: /errors/${error.id}`,
    `Link: ${link}`,
    `Exception: ${error.exception_type}`,
    `Message: ${error.message}`,
    regressed ? `Occurrences: ${error.count} (the group was resolved and has come back)` : undefined,
    spike ? `Occurrences: ${error.count} (${spike})` : undefined,
    error.environment ? `Environment: ${error.environment}` : undefined,
    request ? `Request: ${request}` : undefined,
    '',
    'Traceback:',
    traceback,
    '',
    'View in Error Tracker:',
    link,
  ]
    .filter((line) => line !== undefined)
    .join('\r\n')

  const rows = [
    row('Error ID', `#${error.id} · /errors/${error.id}`),
    error.environment ? row('Environment', error.environment) : '',
    request ? row('Request', request) : '',
    regressed || spike ? row('Occurrences', spike ? `${error.count} (${spike})` : String(error.count)) : '',
  ].join('')
  const html = card({
    color: regressed || spike ? '#b45309' : '#c62828',
    banner: `${kindName} · ${error.project}`,
    title: error.exception_type,
    subtitle: error.message,
    body: `<table role="presentation" width="100%" cellpadding="6" style="font-size:14px">${rows}</table>
<pre style="background:#111827;color:#e5e7eb;padding:12px;border-radius:6px;white-space:pre-wrap;word-break:break-word;font-size:12px">${escapeHtml(traceback)}</pre>
<p><a href="${escapeAttribute(link)}" style="display:inline-block;background:#2f6fde;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">View error details →</a></p>`,
    footer: 'You receive this because your address is in ALERT_EMAILS of this Monlight error tracker.',
  })
  return { kind: error.kind, subject, text, html, link, error }
}

/** The message `POST /api/test-alert` sends through one channel, named by its `label` (`SMTP` as upstream has it). */
export function testAlertMessage(baseUrl: string, label: string): AlertMessage {
  const link = trimSlash(baseUrl)
  return {
    kind: 'test',
    subject: `[error-tracker] ${label} test alert`,
    link,
    text: [
      `${label} test`,
      '',
      'It works! This is a test alert from your Monlight error tracker.',
      'New and regressed errors will be reported to this address.',
      '',
      `Dashboard: ${link}`,
    ].join('\r\n'),
    html: card({
      color: '#2e7d32',
      banner: `${label} test`,
      title: 'It works!',
      subtitle: 'This is a test alert from your Monlight error tracker.',
      body: `<p><a href="${escapeAttribute(link)}">${escapeHtml(link)}</a></p>`,
      footer: 'New and regressed errors will be reported to this address.',
    }),
  }
}

function card(parts: {
  color: string
  banner: string
  title: string
  subtitle: string
  body: string
  footer: string
}): string {
  return `<!doctype html><html><body style="margin:0;background:#f3f4f6;font-family:system-ui,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#fff;border-radius:8px;overflow:hidden">
<tr><td style="background:${parts.color};color:#fff;padding:16px 20px">
<div style="font-size:12px;opacity:.85">${escapeHtml(parts.banner)}</div>
<div style="font-size:18px;font-weight:700">${escapeHtml(parts.title)}</div>
<div style="font-size:14px">${escapeHtml(parts.subtitle)}</div>
</td></tr>
<tr><td style="padding:16px 20px">${parts.body}</td></tr>
<tr><td style="padding:12px 20px;color:#6b7280;font-size:12px">${escapeHtml(parts.footer)}</td></tr>
</table></td></tr></table></body></html>`
}

function row(label: string, value: string): string {
  return `<tr><td style="color:#6b7280;width:120px">${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`
}

function truncateTraceback(traceback: string): string {
  const normalized = traceback.replace(/\r?\n/g, '\r\n')
  return normalized.length > MAX_TRACEBACK_CHARS
    ? `${normalized.slice(0, MAX_TRACEBACK_CHARS)}\r\n[traceback truncated]`
    : normalized
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
