import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as serveHono } from '@hono/node-server'
import { toExpressMiddleware } from '@monlight/core/adapters/express'
import { type FetchApp, toFetchHandler } from '@monlight/core/adapters/fetch'
import { toHonoHandler } from '@monlight/core/adapters/hono'
import { toKoaMiddleware } from '@monlight/core/adapters/koa'
import { toNodeListener } from '@monlight/core/adapters/node'
import express from 'express'
import express4 from 'express4'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterAll, beforeAll, describe } from 'vitest'

export type AdapterName = 'fetch' | 'node' | 'express' | 'express4' | 'koa' | 'hono'
export const ADAPTERS: readonly AdapterName[] = ['fetch', 'node', 'express', 'express4', 'koa', 'hono']

/** The mount prefix every adapter test uses, so prefix handling is always exercised. */
export const TEST_PREFIX = '/mnt'

export interface AdapterTarget {
  readonly adapter: AdapterName
  /** Requests a path relative to the app root, through the adapter, under {@link TEST_PREFIX}. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** Base URL of the mounted app (`http://127.0.0.1:<port>/mnt`); `http://in-process/mnt` for `fetch`. */
  readonly baseUrl: string
}

export interface AdapterServer {
  baseUrl: string
  fetch(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/**
 * Serves `app` under `prefix` through one adapter: in-process for `fetch`, otherwise a real node:http server
 * on loopback running bare node:http, Express 5, Express 4, Koa 3 or Hono 4.
 */
export async function serveWithAdapter(
  adapter: AdapterName,
  app: FetchApp,
  prefix = TEST_PREFIX,
): Promise<AdapterServer> {
  if (adapter === 'fetch') {
    const handler = toFetchHandler(app, { prefix })
    const baseUrl = `http://in-process${prefix}`
    return {
      baseUrl,
      fetch: (path, init) => handler(new Request(baseUrl + path, init)),
      close: async () => {},
    }
  }
  const server = await listen(adapter, app, prefix)
  const { port } = server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}${prefix}`
  return {
    baseUrl,
    fetch: (path, init) => fetch(baseUrl + path, init),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function listen(adapter: Exclude<AdapterName, 'fetch'>, app: FetchApp, prefix: string): Promise<Server> {
  return new Promise((resolve) => {
    let server: Server
    switch (adapter) {
      case 'node':
        server = createServer(toNodeListener(app, { prefix }))
        break
      case 'express':
      case 'express4': {
        const host = (adapter === 'express' ? express : express4)()
        host.use(prefix, toExpressMiddleware(app))
        server = createServer(host)
        break
      }
      case 'koa': {
        const host = new Koa()
        host.use(toKoaMiddleware(app, { prefix }))
        server = createServer(host.callback())
        break
      }
      case 'hono': {
        const host = new Hono()
        const handler = toHonoHandler(app, { prefix })
        host.all(prefix, handler)
        host.all(`${prefix}/*`, handler)
        server = serveHono({ fetch: host.fetch, port: 0, hostname: '127.0.0.1' }) as Server
        server.once('listening', () => resolve(server))
        return
      }
    }
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/**
 * Runs one HTTP suite through every adapter, each serving the app under {@link TEST_PREFIX}. Titles start with
 * the adapter name, so a failure says which integration broke.
 *
 * @example
 * describeAdapters('health', () => createModuleApp({ name: 't', auth: false }), (t) => {
 *   it('answers', async () => expect((await t.fetch('/health')).status).toBe(200))
 * })
 */
export function describeAdapters(
  title: string,
  createApp: () => FetchApp,
  suite: (target: AdapterTarget) => void,
): void {
  for (const adapter of ADAPTERS) {
    describe(`${adapter}: ${title}`, () => {
      let server: AdapterServer | undefined
      const target: AdapterTarget = {
        adapter,
        fetch: (path, init) => server!.fetch(path, init),
        get baseUrl() {
          return server!.baseUrl
        },
      }
      beforeAll(async () => {
        server = await serveWithAdapter(adapter, createApp())
      })
      afterAll(() => server?.close())
      suite(target)
    })
  }
}
