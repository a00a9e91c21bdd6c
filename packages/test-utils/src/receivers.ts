/** Real servers on loopback that record what a test's code sends them: SMTP and HTTP. */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface Mail {
  from: string
  to: string[]
  raw: string
  secure: boolean
  user?: string
}

/**
 * A real SMTP server on loopback that keeps what it receives. Its TLS certificate is smtp-server's self-signed
 * one: clients must not verify it, or use `starttls: false` (a plain-text server, as some LAN relays are).
 * AUTH accepts alice / s3cret.
 */
export async function startSmtpSink(options: { secure?: boolean; starttls?: boolean } = {}) {
  const mails: Mail[] = []
  const server = new SMTPServer({
    secure: options.secure ?? false,
    disabledCommands: options.starttls === false ? ['STARTTLS'] : [],
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alice' && auth.password === 's3cret') callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export interface ReceivedRequest {
  path: string
  headers: IncomingMessage['headers']
  /** The parsed JSON body (tests read into it freely). */
  body: any
}

/**
 * A real HTTP server on loopback standing in for a Monlight service or an alert endpoint (webhook, Postmark):
 * records each request with its JSON body and answers with `respond` (default 202 `{"status":"accepted"}`).
 */
export async function startHttpReceiver(
  respond: (request: ReceivedRequest) => { status: number; body?: unknown } = () => ({
    status: 202,
    body: { status: 'accepted' },
  }),
) {
  const received: ReceivedRequest[] = []
  const server = createServer(async (req, res) => {
    let text = ''
    for await (const chunk of req) text += chunk
    const request = { path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined }
    received.push(request)
    const { status, body } = respond(request)
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
