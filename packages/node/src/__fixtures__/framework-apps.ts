/** The same small app in each framework, for the integration tests and the tests against a real server. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import Router from '@koa/router'
import express from 'express'
import express4 from 'express4'
import { Hono } from 'hono'
import Koa from 'koa'
import { setupMonlight as setupExpress } from '../integrations/express.js'
import { setupMonlight as setupHono } from '../integrations/hono.js'
import { setupMonlight as setupKoa } from '../integrations/koa.js'
import { withMonlight } from '../integrations/node-http.js'
import type { Monlight, MonlightSetupOptions } from '../setup.js'

export interface App {
  monlight: Monlight
  server: Server
  /** The endpoint label the framework gives `/users/42`. */
  userRoute: string
}

/** The Express app, for Express 5 and Express 4 alike. */
function expressApp(create: typeof express) {
  return (options: MonlightSetupOptions): App => {
    const app = create()
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
  }
}

/** The same small app in each framework: a route with a parameter, one that throws, and nothing else. */
export const FRAMEWORKS: Record<string, (options: MonlightSetupOptions) => App> = {
  express: expressApp(express),
  'express 4': expressApp(express4 as unknown as typeof express),
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

/** Listens on a free loopback port (Hono's `serve()` already does) and returns the base URL. */
export async function listen(app: App): Promise<string> {
  if (!app.server.listening) await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  else await new Promise((resolve) => setTimeout(resolve, 10))
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}
