import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import Router from '@koa/router'
import type { ErrorReport, MetricPoint } from '@monlight/core'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver } from '../__fixtures__/receiver.js'
import type { Monlight, MonlightSetupOptions } from '../setup.js'
import { setupMonlight as setupExpress } from './express.js'
import { setupMonlight as setupHono } from './hono.js'
import { setupMonlight as setupKoa } from './koa.js'
import { withMonlight } from './node-http.js'

interface App {
  monlight: Monlight
  server: Server
  /** The endpoint label the framework gives `/users/42`. */
  userRoute: string
}

/** The same small app in each framework: a route with a parameter, one that throws, and nothing else. */
const FRAMEWORKS: Record<string, (options: MonlightSetupOptions) => App> = {
  express(options) {
    const app = express()
    const monlight = setupExpress(app, options)
    app.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id })
    })
    app.get('/boom', () => {
      throw new Error('kaboom')
    })
    // The app's own error handler still answers; Monlight reports before it.
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ detail: 'handled by the app' })
    })
    return { monlight, server: createServer(app), userRoute: '/users/:id' }
  },
  koa(options) {
    const app = new Koa()
    const monlight = setupKoa(app, options)
    const router = new Router()
    router.get('/users/:id', (ctx) => {
      ctx.body = { id: ctx.params.id }
    })
    router.get('/boom', () => {
      throw new Error('kaboom')
    })
    app.use(router.routes())
    app.silent = true
    return { monlight, server: createServer(app.callback()), userRoute: '/users/:id' }
  },
  hono(options) {
    const app = new Hono()
    const monlight = setupHono(app, options)
    app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }))
    app.get('/boom', () => {
      throw new Error('kaboom')
    })
    app.onError((_error, c) => c.json({ detail: 'handled by the app' }, 500))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
    return { monlight, server, userRoute: '/users/:id' }
  },
  'node:http'(options) {
    const { listener, ...monlight } = withMonlight(async (req, res) => {
      const path = req.url ?? '/'
      if (path.startsWith('/users/')) return void res.writeHead(200).end('{}')
      if (path === '/boom') throw new Error('kaboom')
      res.writeHead(404).end()
    }, options)
    return { monlight: monlight as Monlight, server: createServer(listener), userRoute: '/users/:id' }
  },
}

describe.each(Object.entries(FRAMEWORKS))('%s integration', (_name, build) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let app: App
  let base: string

  beforeAll(async () => {
    receiver = await startReceiver((request) =>
      request.path === '/api/errors'
        ? { status: 201, body: { status: 'created', id: 1, fingerprint: '0'.repeat(32) } }
        : { status: 202, body: { status: 'accepted', count: 1 } },
    )
    app = build({
      errorTrackerUrl: receiver.url,
      metricsCollectorUrl: receiver.url,
      apiKey: 'sdk-key',
      project: 'shop',
      environment: 'test',
      flushOnShutdown: false,
    })
    if (!app.server.listening)
      await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
    else await new Promise((resolve) => setTimeout(resolve, 10))
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

    await fetch(`${base}/users/42`)
    await fetch(`${base}/users/43`)
    await fetch(`${base}/boom`, { headers: { authorization: 'Bearer secret', 'x-trace': 't1' } })
    await fetch(`${base}/nowhere/123`)
    await app.monlight.flush()
  })

  afterAll(async () => {
    await app.monlight.shutdown()
    await new Promise((resolve) => app.server.close(resolve))
    await receiver.close()
  })

  const points = () =>
    receiver.received.filter((r) => r.path === '/api/metrics').flatMap((r) => r.body as MetricPoint[])
  const reports = () =>
    receiver.received.filter((r) => r.path === '/api/errors').map((r) => r.body as ErrorReport)

  it('counts requests by method, route template and status', () => {
    const counters = points().filter((point) => point.name === 'http_requests_total')
    const counts = counters.map((point) => point.labels)
    expect(counters.find((point) => point.labels?.endpoint === app.userRoute)).toMatchObject({
      labels: { method: 'GET', endpoint: app.userRoute, status: '200' },
      value: 2,
    })
    expect(counts).toContainEqual({
      method: 'GET',
      endpoint: expect.stringMatching(/^\/boom$/),
      status: '500',
    })
    expect(counts).toContainEqual({ method: 'GET', endpoint: '(unmatched)', status: '404' })
    expect(counts.some((labels) => String(labels?.endpoint).includes('42'))).toBe(false)
  })

  it('records the duration of each request in seconds', () => {
    const durations = points().filter((point) => point.name === 'http_request_duration_seconds')
    expect(durations.reduce((sum, point) => sum + (point.count ?? 1), 0)).toBe(4)
    for (const point of durations) {
      expect(point.type).toBe('histogram')
      expect(point.value).toBeGreaterThanOrEqual(0)
      expect(point.value).toBeLessThan(5)
      expect(point.project).toBe('shop')
    }
  })

  it('reports the unhandled error once, with its request and without secrets', () => {
    expect(reports()).toHaveLength(1)
    const [report] = reports()
    expect(report).toMatchObject({
      project: 'shop',
      environment: 'test',
      exception_type: 'Error',
      message: 'kaboom',
    })
    expect(report?.traceback).toMatch(/^Error: kaboom\n {4}at /)
    expect(report?.request_method).toBe('GET')
    expect(report?.request_url).toBe(`${base}/boom`)
    const headers = report?.request_headers as Record<string, string>
    expect(headers['x-trace']).toBe('t1')
    expect(headers.authorization).toBeUndefined()
  })
})
