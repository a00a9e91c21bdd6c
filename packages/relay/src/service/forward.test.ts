import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger } from '@monlight/core'
import { afterEach, describe, expect, it } from 'vitest'
import { httpForwarder } from './forward.js'

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void

/** A real loopback HTTP server that can be stopped and started again on the same port. */
async function backend(handler: Handler, port = 0) {
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => handler(request, body, response))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const report = { project: 'web', exception_type: 'E', message: 'm', traceback: '' }
const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()))
})

function forwarderFor(
  port: number,
  overrides: { timeoutMs?: number; maxSize?: number; retryDelayMs?: number } = {},
) {
  const forwarder = httpForwarder(
    {
      errorTrackerUrl: `http://127.0.0.1:${port}/`,
      errorTrackerApiKey: 'errors-key',
      metricsCollectorUrl: `http://127.0.0.1:${port}`,
      metricsCollectorApiKey: 'metrics-key',
      timeoutMs: overrides.timeoutMs ?? 2_000,
      queue: {
        maxSize: overrides.maxSize ?? 100,
        maxAttempts: 50,
        retryDelayMs: overrides.retryDelayMs ?? 50,
      },
    },
    silentLogger,
  )
  open.push(forwarder)
  return forwarder
}

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('HTTP forwarding', () => {
  it('passes the error tracker status and body through, with its key and no doubled slash', async () => {
    const seen: string[] = []
    const server = await backend((request, body, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers['x-api-key']} ${body}`)
      response.writeHead(request.url === '/api/errors' ? 201 : 202, { 'content-type': 'application/json' })
      response.end(
        request.url === '/api/errors'
          ? '{"status":"created","id":7,"fingerprint":"abc"}'
          : '{"status":"accepted","count":1}',
      )
    })
    open.push(server)
    const forwarder = forwarderFor(server.port)
    expect(await forwarder.error(report)).toEqual({
      status: 201,
      body: { status: 'created', id: 7, fingerprint: 'abc' },
    })
    await forwarder.metrics([{ name: 'm', type: 'counter', value: 1 }])
    expect(seen).toEqual([
      `POST /api/errors errors-key ${JSON.stringify(report)}`,
      'POST /api/metrics metrics-key [{"name":"m","type":"counter","value":1}]',
    ])
  })

  it("passes on the backend's 400 / 413 for an event it refuses, and 502 for a refused key", async () => {
    const answers: [number, string][] = [
      [400, '{"detail":"Field \'exception_type\' exceeds maximum length of 200 characters"}'],
      [413, '{"detail":"Request body exceeds maximum size"}'],
      [401, '{"detail":"Invalid API key"}'],
    ]
    let next = 0
    const server = await backend((_request, _body, response) => {
      const [status, body] = answers[next++]!
      response.writeHead(status).end(body)
    })
    open.push(server)
    const forwarder = forwarderFor(server.port)
    // The browser can fix its event, and must not retry it as is.
    await expect(forwarder.error(report)).rejects.toMatchObject({
      status: 400,
      message: "Field 'exception_type' exceeds maximum length of 200 characters",
    })
    await expect(forwarder.error(report)).rejects.toMatchObject({ status: 413 })
    // The relay's own key is wrong: nothing the browser can do.
    await expect(forwarder.error(report)).rejects.toMatchObject({ status: 502, message: 'Upstream error' })
    expect(forwarder.pending).toBe(0)
  })

  it('does not hang on a slow backend: queues after the timeout and delivers later', async () => {
    let slow = true
    const received: string[] = []
    const server = await backend((_request, body, response) => {
      if (slow) return // never answers
      received.push(body)
      response.writeHead(201).end('{"status":"created","id":1,"fingerprint":"x"}')
    })
    open.push(server)
    const forwarder = forwarderFor(server.port, { timeoutMs: 200 })
    const started = Date.now()
    expect(await forwarder.error(report)).toEqual({ status: 202, body: { status: 'queued' } })
    expect(Date.now() - started).toBeLessThan(1_500)
    // While events wait, new ones join the queue at once instead of waiting for the timeout again.
    const second = Date.now()
    await forwarder.error({ ...report, message: 'second' })
    expect(Date.now() - second).toBeLessThan(100)
    slow = false
    await until(() => forwarder.pending === 0)
    expect(received.map((body) => JSON.parse(body).message)).toContain('second')
  })

  it('queues while the backend is down and delivers in order once it is back', async () => {
    const probe = await backend(() => {})
    const port = probe.port
    await probe.close()
    const forwarder = forwarderFor(port)
    for (const message of ['one', 'two', 'three']) {
      expect((await forwarder.error({ ...report, message })).status).toBe(202)
    }
    expect(forwarder.pending).toBe(3)
    const received: string[] = []
    const server = await backend((_request, body, response) => {
      received.push(JSON.parse(body).message)
      response.writeHead(201).end()
    }, port)
    open.push(server)
    await until(() => forwarder.pending === 0)
    expect(received).toEqual(['one', 'two', 'three'])
  })

  it('survives a restarting backend (5xx, then down, then up) without losing events', async () => {
    let failures = 2
    const received: string[] = []
    const handler: Handler = (_request, body, response) => {
      if (failures-- > 0) return void response.writeHead(503).end()
      received.push(JSON.parse(body).message)
      response.writeHead(201).end()
    }
    let server = await backend(handler)
    const port = server.port
    const forwarder = forwarderFor(port)
    expect((await forwarder.error({ ...report, message: 'a' })).status).toBe(202)
    await server.close()
    expect((await forwarder.error({ ...report, message: 'b' })).status).toBe(202)
    server = await backend(handler, port)
    open.push(server)
    await until(() => forwarder.pending === 0)
    expect(received).toEqual(['a', 'b'])
  })

  it('answers 502 once the queue is full', async () => {
    const probe = await backend(() => {})
    const port = probe.port
    await probe.close()
    const forwarder = forwarderFor(port, { maxSize: 2, retryDelayMs: 10_000 })
    await forwarder.error(report)
    await forwarder.error(report)
    await expect(forwarder.error(report)).rejects.toMatchObject({ status: 502 })
    await expect(forwarder.metrics([{ name: 'm', type: 'gauge', value: 1 }])).rejects.toMatchObject({
      status: 502,
    })
  })
})
