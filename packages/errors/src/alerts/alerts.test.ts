import { createDatabase, type Database } from '@monlight/core'
import { startHttpReceiver, startSmtpSink } from '@monlight/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createErrors, type ErrorsOptions } from '../index.js'
import { manualClock, memoryLogger, pythonReport } from '../test-support.js'

/** The decoded body of the MIME part with this content type. */
function mimePart(raw: string, type: string): string {
  const start = raw.indexOf(`Content-Type: ${type}`)
  expect(start).toBeGreaterThan(-1)
  const headerEnd = raw.indexOf('\r\n\r\n', start)
  const headers = raw.slice(start, headerEnd)
  const body = raw.slice(headerEnd + 4, raw.indexOf('\r\n--', headerEnd))
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8')
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}

/** The decoded Subject header (RFC 2047 Q or B encoded words, folded lines). */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1] ?? ''
  return header
    .replace(/\?=\r\n[ \t]+=\?/g, '?==?')
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\?UTF-8\?([QB])\?(.*?)\?=/gi, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    )
    .replace(/\?==\?/g, '')
}

describe('alerts', () => {
  let database: Database
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    database = await createDatabase({ sqlite: ':memory:' })
  })
  afterAll(() => database.destroy())
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  let projectSeq = 0
  const setup = async (alerts: ErrorsOptions['alerts']) => {
    const { logger, lines } = memoryLogger()
    const errors = createErrors({
      database,
      apiKeys: ['k'],
      logger,
      alerts,
      baseUrl: 'https://errors.example.com/',
    })
    await errors.migrate()
    return { errors, lines, project: `alerts-${++projectSeq}` }
  }

  it('emails new and reopened groups over SMTP with STARTTLS and AUTH, with Date, Message-ID and escaped HTML', async () => {
    const sink = await startSmtpSink()
    cleanups.push(sink.close)
    const { errors, lines, project } = await setup({
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        username: 'alice',
        password: 's3cret',
        from: 'tracker@example.com',
        to: ['dev1@example.com', 'dev2@example.com'],
        tls: { rejectUnauthorized: false },
      },
    })
    const report = pythonReport({
      project,
      message: '<script>alert("x")</script> & more',
      request_method: 'POST',
      request_url: '/checkout?a=1&b=2',
      traceback: 'Traceback:\n  File "/app/x.py", line 3, in f\n.leading dot line\nTestError: boom',
    })
    const created = await errors.service.ingest(report)
    await errors.service.ingest(report) // increment: no alert
    await errors.alertsIdle()
    expect(sink.mails).toHaveLength(1)
    const [mail] = sink.mails
    expect(mail).toMatchObject({
      from: 'tracker@example.com',
      to: ['dev1@example.com', 'dev2@example.com'],
      secure: true,
      user: 'alice',
    })
    expect(mail!.raw).toMatch(/^Date: .+\d{4} \d\d:\d\d:\d\d [+-]\d{4}\r$/m)
    expect(mail!.raw).toMatch(/^Message-ID: <[^>]+@[^>]+>\r$/m)
    expect(subjectOf(mail!.raw)).toBe(
      `[${project}] TestError: <script>alert("x")</script> & more (#${created.id})`,
    )
    const html = mimePart(mail!.raw, 'text/html')
    expect(html).toContain('&lt;script&gt;alert("x")&lt;/script&gt; &amp; more')
    expect(html).not.toContain('<script>')
    expect(html).toContain(`href="https://errors.example.com/errors/${created.id}"`)
    expect(html).toContain('POST /checkout?a=1&amp;b=2')
    const text = mimePart(mail!.raw, 'text/plain')
    expect(text).toContain('.leading dot line')
    expect(text).toContain(`Link: https://errors.example.com/errors/${created.id}`)

    await errors.service.resolve(created.id)
    await errors.service.ingest(report)
    await errors.alertsIdle()
    expect(sink.mails).toHaveLength(2)
    expect(subjectOf(sink.mails[1]!.raw)).toContain('Regressed: TestError')
    expect(lines.filter((line) => line.message === 'alert sent')).toHaveLength(2)
  })

  it('sends over implicit TLS (port 465 style)', async () => {
    const sink = await startSmtpSink({ secure: true })
    cleanups.push(sink.close)
    const { errors, project } = await setup({
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        secure: true,
        to: ['ops@example.com'],
        tls: { rejectUnauthorized: false },
      },
    })
    await errors.service.ingest(pythonReport({ project }))
    await errors.alertsIdle()
    expect(sink.mails).toHaveLength(1)
    expect(sink.mails[0]!.secure).toBe(true)
  })

  it('posts to Postmark and to a webhook (json, slack, discord)', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    cleanups.push(receiver.close)
    for (const format of ['json', 'slack', 'discord'] as const) {
      const { errors, project } = await setup({
        postmark: {
          token: 'pm-token',
          from: 'alerts@example.com',
          to: ['a@example.com', 'b@example.com'],
          baseUrl: `${receiver.url}/pm`,
        },
        webhook: { url: `${receiver.url}/hook`, format },
      })
      receiver.received.length = 0
      const { id } = await errors.service.ingest(pythonReport({ project, message: 'a <b> & c' }))
      await errors.alertsIdle()
      const postmark = receiver.received.find((request) => request.path === '/pm/email')
      expect(postmark?.headers['x-postmark-server-token']).toBe('pm-token')
      expect(postmark?.body).toMatchObject({ From: 'alerts@example.com', To: 'a@example.com,b@example.com' })
      expect(postmark?.body.Subject).toContain(`(#${id})`)
      expect(postmark?.body.HtmlBody).toContain('View error details')
      const hook = receiver.received.find((request) => request.path === '/hook')!
      if (format === 'json') {
        expect(hook.body).toMatchObject({
          event: 'error.created',
          url: `https://errors.example.com/errors/${id}`,
          error: { id, project },
        })
      } else if (format === 'slack') {
        expect(hook.body.text).toBe(
          `[${project}] TestError: a &lt;b&gt; &amp; c (#${id})\n<https://errors.example.com/errors/${id}|View error>`,
        )
      } else {
        expect(hook.body.content).toContain(`https://errors.example.com/errors/${id}`)
      }
    }
  })

  it('logs failures with the reason and never throws into ingest', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 401, body: { Message: 'bad token' } }))
    cleanups.push(receiver.close)
    const { errors, lines, project } = await setup({
      smtp: { host: '127.0.0.1', port: 1, to: ['x@example.com'], timeoutMs: 2000 },
      postmark: { token: 'bad', from: 'a@example.com', to: ['x@example.com'], baseUrl: receiver.url },
    })
    expect((await errors.service.ingest(pythonReport({ project }))).status).toBe('created')
    await errors.alertsIdle()
    const failures = lines.filter((line) => line.message === 'alert failed')
    expect(failures.map((line) => line.fields?.channel).sort()).toEqual(['postmark', 'smtp'])
    expect(String(failures.find((line) => line.fields?.channel === 'postmark')?.fields?.reason)).toContain(
      'answered 401',
    )
    expect(String(failures.find((line) => line.fields?.channel === 'smtp')?.fields?.reason)).toMatch(
      /ECONNREFUSED|connect/i,
    )
  })

  it('caps alert storms per minute and logs what it drops', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    cleanups.push(receiver.close)
    const { errors, lines, project } = await setup({ webhook: { url: receiver.url }, perMinute: 2 })
    for (let i = 0; i < 5; i++)
      await errors.service.ingest(pythonReport({ project, exception_type: `Storm${i}` }))
    await errors.alertsIdle()
    expect(receiver.received).toHaveLength(2)
    expect(
      lines.filter((line) => line.message === 'alert dropped: too many alerts this minute'),
    ).toHaveLength(3)
  })

  it('opens the cap again after a minute, and drops (with a warning) when the queue is full', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    cleanups.push(receiver.close)
    const clock = manualClock()
    const { logger, lines } = memoryLogger()
    const errors = createErrors({
      database,
      apiKeys: false,
      logger,
      now: clock.now,
      alerts: { webhook: { url: receiver.url }, perMinute: 1, queueSize: 1 },
    })
    const project = `alerts-${++projectSeq}`
    await errors.service.ingest(pythonReport({ project, exception_type: 'First' }))
    await errors.service.ingest(pythonReport({ project, exception_type: 'Capped' }))
    clock.advance(60_001)
    await errors.service.ingest(pythonReport({ project, exception_type: 'NextMinute' }))
    await errors.alertsIdle()
    expect(receiver.received.map((request) => request.body.error.exception_type)).toEqual([
      'First',
      'NextMinute',
    ])

    const burst = createErrors({
      database,
      apiKeys: false,
      logger,
      alerts: { webhook: { url: receiver.url }, perMinute: 100, queueSize: 1 },
    })
    // Ingested in one turn: the first waits in the queue, the second finds it full.
    await Promise.all([
      burst.service.ingest(pythonReport({ project, exception_type: 'BurstA' })),
      burst.service.ingest(pythonReport({ project, exception_type: 'BurstB' })),
    ])
    await burst.alertsIdle()
    expect(lines.filter((line) => line.message === 'alert dropped: the alert queue is full')).toHaveLength(1)
  })

  it('POST /api/test-alert reaches every configured channel, or explains what is missing', async () => {
    const sink = await startSmtpSink()
    const receiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    cleanups.push(sink.close, receiver.close)
    const post = { method: 'POST', headers: { 'x-api-key': 'k' } }

    const noRecipients = await setup({ smtp: { host: '127.0.0.1', port: sink.port } })
    const refused = await noRecipients.errors.fetch(new Request('http://x/api/test-alert', post))
    expect(refused.status).toBe(503)
    expect((await refused.json()).detail).toBe('SMTP not configured: ALERT_EMAILS is not set')

    const { errors } = await setup({
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        to: ['ops@example.com'],
        tls: { rejectUnauthorized: false },
      },
      webhook: { url: receiver.url, format: 'slack' },
    })
    const res = await errors.fetch(new Request('http://x/api/test-alert', post))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({
      status: 'test alert dispatched',
      detail: 'Check service logs for SMTP transaction result',
      channels: ['smtp', 'webhook'],
    })
    await errors.alertsIdle()
    expect(subjectOf(sink.mails[0]!.raw)).toBe('[error-tracker] SMTP test alert')
    // Each channel's message names that channel (upstream's SMTP subject for mail).
    expect(receiver.received[0]!.body.text).toContain('[error-tracker] Slack test alert')
    expect(receiver.received[0]!.body.text).not.toContain('SMTP')
    expect(sink.mails).toHaveLength(1)
  })
})
