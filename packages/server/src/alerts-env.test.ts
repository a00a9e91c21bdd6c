/**
 * The original's alert variables, as an operator sets them: `monlight` started with SMTP_HOST, SMTP_PORT,
 * SMTP_FROM, ALERT_EMAILS and our ALERT_WEBHOOK_URL (Slack format) against a real SMTP server and a real HTTP
 * receiver on loopback. A new error group is mailed and posted; `POST /api/test-alert` reaches both channels.
 */
import { startHttpReceiver, startSmtpSink } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const KEY = 'alerts-env-key'
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }

describe('alert variables of the original', () => {
  let cli: RunningCli
  let sink: Awaited<ReturnType<typeof startSmtpSink>>
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>

  beforeAll(async () => {
    // No STARTTLS: the variables have no switch for an unverifiable certificate, rightly.
    sink = await startSmtpSink({ starttls: false })
    hook = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    cli = await startCli(['--ports', '0,0,0,0', '--data-dir', tempDir()], {
      env: {
        API_KEY: KEY,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(sink.port),
        SMTP_FROM: 'monlight@example.com',
        ALERT_EMAILS: 'ops@example.com, oncall@example.com',
        ALERT_WEBHOOK_URL: `${hook.url}/slack`,
        ALERT_WEBHOOK_FORMAT: 'slack',
        BASE_URL: 'https://errors.example.com',
      },
    })
  })

  afterAll(async () => {
    await cli?.stop()
    await sink?.close()
    await hook?.close()
    killAll()
    removeTempDirs()
  })

  it('mails and posts a new error group', async () => {
    const posted = await fetch(`${cli.urls.errors}api/errors`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        project: 'shop',
        exception_type: 'PaymentError',
        message: 'card declined',
        traceback:
          'Traceback (most recent call last):\n  File "/app/pay.py", line 9, in charge\nPaymentError: card declined',
      }),
    })
    expect(posted.status).toBe(201)
    const { id } = (await posted.json()) as { id: number }
    await expect.poll(() => sink.mails.length, { timeout: 5000 }).toBe(1)
    expect(sink.mails[0]).toMatchObject({
      from: 'monlight@example.com',
      to: ['ops@example.com', 'oncall@example.com'],
    })
    expect(sink.mails[0]!.raw).toContain('PaymentError')
    await expect.poll(() => hook.received.length, { timeout: 5000 }).toBe(1)
    expect(hook.received[0]!.path).toBe('/slack')
    expect(hook.received[0]!.body.text).toContain('PaymentError')
    expect(hook.received[0]!.body.text).toContain(`https://errors.example.com/errors/${id}`)
  })

  it('sends a test alert through every configured channel', async () => {
    const response = await fetch(`${cli.urls.errors}api/test-alert`, { method: 'POST', headers })
    expect(response.status).toBe(202)
    expect(((await response.json()) as { channels: string[] }).channels.sort()).toEqual(['smtp', 'webhook'])
    await expect.poll(() => sink.mails.length, { timeout: 5000 }).toBe(2)
    await expect.poll(() => hook.received.length, { timeout: 5000 }).toBe(2)
  })
})
