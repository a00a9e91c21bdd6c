import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as serveHono } from '@hono/node-server'
import express from 'express'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { createTinyModule, TINY_KEYS } from '../__fixtures__/tiny-module.js'
import { toExpressMiddleware } from './express.js'
import { toHonoHandler } from './hono.js'
import { toKoaMiddleware } from './koa.js'

// A host body parser mounted before Monlight drains the request stream. The request must fail fast with a
// message that names the cause, not hang until a timeout (architecture §4, pitfall 7).
const post = {
  method: 'POST',
  headers: { 'x-api-key': TINY_KEYS[0], 'content-type': 'application/json' },
  body: '{"a":1}',
}
const expected = {
  code: 'BODY_ALREADY_READ',
  detail: expect.stringContaining('Mount Monlight before any body parser'),
}

let server: Server | undefined
afterEach(() => {
  server?.closeAllConnections()
  server?.close()
  server = undefined
})

async function start(listener: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(listener)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('a body parser mounted first', () => {
  it('express.json() before the middleware: clear 500, GET routes still work', async () => {
    const app = express()
    app.use(express.json())
    app.use('/mnt', toExpressMiddleware(createTinyModule()))
    const base = await start(app)
    const res = await fetch(`${base}/mnt/api/echo`, { ...post, signal: AbortSignal.timeout(5000) })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual(expected)
    expect((await fetch(`${base}/mnt/health`)).status).toBe(200)
  })

  it('a Koa body parser before the middleware', async () => {
    const app = new Koa()
    app.use(async (ctx, next) => {
      // What koa-bodyparser does: read the raw stream to its end and keep the parsed result.
      const chunks: Buffer[] = []
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
      ;(ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString() || 'null')
      await next()
    })
    app.use(toKoaMiddleware(createTinyModule(), { prefix: '/mnt' }))
    const base = await start(app.callback())
    const res = await fetch(`${base}/mnt/api/echo`, { ...post, signal: AbortSignal.timeout(5000) })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual(expected)
  })

  it('Hono middleware reading c.req.json() first', async () => {
    const app = new Hono()
    app.use(async (c, next) => {
      await c.req.raw.clone().text() // a clone leaves the body readable: no error expected here
      await next()
    })
    const handler = toHonoHandler(createTinyModule(), { prefix: '/mnt' })
    app.all('/mnt/*', handler)
    const readFirst = new Hono()
    readFirst.use(async (c, next) => {
      await c.req.json()
      await next()
    })
    readFirst.all('/mnt/*', handler)

    for (const [host, status] of [
      [app, 201],
      [readFirst, 500],
    ] as const) {
      const hono = serveHono({ fetch: host.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => hono.once('listening', resolve))
      try {
        const port = (hono.address() as AddressInfo).port
        const res = await fetch(`http://127.0.0.1:${port}/mnt/api/echo`, {
          ...post,
          signal: AbortSignal.timeout(5000),
        })
        expect(res.status).toBe(status)
        if (status === 500) expect(await res.json()).toEqual(expected)
      } finally {
        hono.closeAllConnections()
        hono.close()
      }
    }
  })

  it('works when the parser is mounted after Monlight', async () => {
    const app = express()
    app.use('/mnt', toExpressMiddleware(createTinyModule()))
    app.use(express.json())
    const base = await start(app)
    const res = await fetch(`${base}/mnt/api/echo`, post)
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ received: { a: 1 } })
  })
})
