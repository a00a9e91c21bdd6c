import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { bundleIife } from './bundle.js'

/** One request that reached a receiver (`.../api/browser/...`). */
export interface Received {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
  at: number
}

/** A scripted answer for the next receiver request: status, headers, delay. */
export interface Answer {
  status: number
  headers?: Record<string, string>
  delayMs?: number
}

export interface TestServer {
  origin: string
  /** Everything posted to `*\/api/browser/*`, OPTIONS included. */
  received: Received[]
  /** Answers used in order for the next receiver requests; then 202. */
  answers: Answer[]
  /** Whether receiver answers carry CORS headers for the request's origin (an allowed origin). */
  cors: boolean
  page(path: string, html: string): void
  /** Parsed error bodies received so far. */
  errors(): any[]
  /** Parsed metric items received so far (flattened from every batch). */
  metrics(): any[]
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>
  close(): Promise<void>
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

/**
 * A loopback server that is both a site (the SDK bundle at `/sdk.js`, test pages, `/api/items/<id>?status=` for
 * the page's own requests) and a receiver standing in for the relay: it records whatever reaches
 * `/api/browser/*` under any prefix and answers as scripted.
 */
export async function startTestServer(sdk: string): Promise<TestServer> {
  const pages = new Map<string, string>()
  const received: Received[] = []
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://x')
    const body = await readBody(request)
    if (url.pathname.includes('/api/browser/')) {
      received.push({
        method: request.method!,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        at: Date.now(),
      })
      const origin = request.headers.origin
      const cors: Record<string, string> =
        state.cors && origin
          ? {
              'access-control-allow-origin': origin,
              'access-control-expose-headers': 'Retry-After',
              vary: 'Origin',
            }
          : {}
      if (request.method === 'OPTIONS') {
        response
          .writeHead(204, { ...cors, 'access-control-allow-headers': 'X-Monlight-Key, Content-Type' })
          .end()
        return
      }
      const answer = state.answers.shift() ?? { status: 202 }
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
      response
        .writeHead(answer.status, { 'content-type': 'application/json', ...cors, ...answer.headers })
        .end('{"status":"accepted"}')
      return
    }
    if (url.pathname === '/sdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk)
      return
    }
    if (url.pathname.startsWith('/api/items/')) {
      const status = Number(url.searchParams.get('status') ?? 200)
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}')
      return
    }
    const page = pages.get(url.pathname)
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const parsed = (path: string) =>
    received.filter((r) => r.method === 'POST' && r.path.endsWith(path)).map((r) => JSON.parse(r.body))
  const state: TestServer = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answers: [],
    cors: true,
    page: (path, html) => pages.set(path, html),
    errors: () => parsed('/api/browser/errors'),
    metrics: () => parsed('/api/browser/metrics').flatMap((batch) => batch.metrics),
    async waitFor(probe, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const value = probe()
        if (value) return value
        if (Date.now() > deadline)
          throw new Error(`timed out; received: ${JSON.stringify(received.map((r) => r.body))}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return state
}

/** A page that loads the SDK bundle, with `MonlightConfig` set when a config is given. */
export const sdkPage = (config: object | undefined, body = '', head = ''): string =>
  `<!doctype html><html><head><meta charset="utf-8">${head}${
    config ? `<script>window.MonlightConfig = ${JSON.stringify(config)}</script>` : ''
  }<script src="/sdk.js"></script></head><body>${body}</body></html>`

/**
 * Registers the hooks of a browser suite: a site and a receiver (separate origins) serving the freshly built
 * script-tag bundle, emptied before each test. Read `servers.site` / `servers.relay` inside tests.
 */
export function useSiteAndRelay(): { site: TestServer; relay: TestServer } {
  const servers = {} as { site: TestServer; relay: TestServer }
  beforeAll(async () => {
    const sdk = await bundleIife()
    servers.site = await startTestServer(sdk)
    servers.relay = await startTestServer(sdk)
  })
  afterAll(async () => {
    await servers.site?.close()
    await servers.relay?.close()
  })
  beforeEach(() => {
    for (const server of [servers.site, servers.relay]) {
      server.received.length = 0
      server.answers.length = 0
      server.cors = true
    }
  })
  return servers
}
