import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

/**
 * A loopback HTTP server standing in for a Monlight service in client tests: records each request and answers
 * with `respond` (default 202 `{"status":"accepted"}`).
 */
export async function startReceiver(
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
