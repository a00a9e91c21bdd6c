import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  createModuleApp,
  type Database,
  MonlightConfigError,
  type MonlightModule,
  silentLogger,
} from '@monlight/core'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { removeTempDirs, tempDir } from './__fixtures__/cli.js'
import { formatBanner } from './banner.js'
import { escapeHtml, renderIndexPage } from './index-page.js'
import type { ModuleContext, ModuleSlot } from './modules.js'
import { displayHost, type MonlightServer, startServer } from './server.js'

afterAll(removeTempDirs)

const KEY = 'test-key'

/** A module with a `/slow` route that answers when the test says so, and observable jobs. */
function slowSlot(name: string) {
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let arrived: () => void = () => {}
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve
  })
  const seen: { context?: ModuleContext; jobsStopped: boolean } = { jobsStopped: false }
  const slot: ModuleSlot = {
    name,
    defaultPort: 0,
    file: `${name}.sqlite`,
    create(context): MonlightModule {
      seen.context = context
      const router = createModuleApp({ name, auth: { apiKeys: context.apiKeys } })
      router.get('/slow', async () => {
        arrived()
        await released
        return { done: true }
      })
      return {
        name,
        router,
        fetch: async (req) => router.fetch(req),
        migrate: async () => ({ applied: [] }),
        start: () => async () => {
          seen.jobsStopped = true
        },
      }
    },
  }
  return { slot, seen, release: () => release(), arrival }
}

/** A raw GET that reports a dropped connection instead of throwing. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', (error) => resolve({ error: error.message }))
    })
      .on('error', (error) => resolve({ error: error.message }))
      .end()
  })
}

const servers: MonlightServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function start(...args: Parameters<typeof startServer>): Promise<MonlightServer> {
  const server = await startServer(args[0], { logger: silentLogger, ...args[1] })
  servers.push(server)
  return server
}

describe('startServer', () => {
  it('opens one SQLite file per module and closes each when done', async () => {
    const dataDir = tempDir()
    const a = slowSlot('alpha')
    const b = slowSlot('beta')
    const server = await start({ dataDir, apiKeys: [KEY], host: '127.0.0.1' }, { modules: [a.slot, b.slot] })
    expect(server.layout).toBe('port-per-module')
    expect(server.urls).toEqual({
      alpha: `http://127.0.0.1:${server.ports.alpha}/`,
      beta: `http://127.0.0.1:${server.ports.beta}/`,
    })
    const [dbA, dbB] = [a.seen.context!.database, b.seen.context!.database]
    expect(dbA.path).toBe(join(dataDir, 'alpha.sqlite'))
    expect(dbB.path).toBe(join(dataDir, 'beta.sqlite'))
    expect(a.seen.context!.apiKeys).toEqual([KEY])

    await server.close()
    expect(a.seen.jobsStopped && b.seen.jobsStopped).toBe(true)
    for (const database of [dbA, dbB]) {
      expect((database.sqlite as unknown as { open: boolean }).open).toBe(false)
    }
  })

  it('shares one database between modules for a database URL, and destroys it once', async () => {
    const a = slowSlot('alpha')
    const b = slowSlot('beta')
    const server = await start(
      { databaseUrl: 'pglite:', apiKeys: [KEY], port: 0 },
      { modules: [a.slot, b.slot] },
    )
    const shared: Database = a.seen.context!.database
    expect(b.seen.context!.database).toBe(shared)
    expect(shared.dialect).toBe('postgres')
    const destroy = vi.spyOn(shared, 'destroy')
    await server.close()
    expect(destroy).toHaveBeenCalledTimes(1)
  })

  it('lets an in-flight request finish on close, and refuses new connections meanwhile', async () => {
    const slow = slowSlot('alpha')
    const server = await start({ dataDir: tempDir(), apiKeys: [KEY], port: 0 }, { modules: [slow.slot] })
    const pending = get(`${server.urls.alpha}slow`, { 'x-api-key': KEY })
    await slow.arrival
    let closed = false
    const closing = server.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(closed).toBe(false)
    expect((await get(`${server.indexUrl}health`)).error).toMatch(/ECONNREFUSED/)

    slow.release()
    expect(await pending).toEqual({ status: 200, body: '{"done":true}' })
    await closing
    expect(slow.seen.jobsStopped).toBe(true)
  })

  it('ends open live tails with a closing event at once, rather than waiting out the grace period', async () => {
    const server = await start({ dataDir: tempDir(), apiKeys: [KEY], port: 0, host: '127.0.0.1' })
    const tail = get(`${server.urls.logs}api/logs/tail`, { 'x-api-key': KEY })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2000)
    const { status, body } = await tail
    expect(status).toBe(200)
    expect(body).toContain('event: close\ndata: {"reason":"shutdown"}')
  })

  it('cuts a request still running after the grace period', async () => {
    const slow = slowSlot('alpha')
    const server = await start(
      { dataDir: tempDir(), apiKeys: [KEY], ports: { alpha: 0 } },
      { modules: [slow.slot], shutdownGraceMs: 100 },
    )
    const pending = get(`${server.urls.alpha}slow`, { 'x-api-key': KEY })
    await slow.arrival
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2000)
    expect((await pending).error).toBeDefined()
    slow.release()
  })

  it('says which port is taken, and leaves nothing open', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    const slow = slowSlot('alpha')
    try {
      const attempt = startServer(
        { dataDir: tempDir(), apiKeys: [KEY], host: '127.0.0.1', ports: { alpha: port } },
        { logger: silentLogger, modules: [slow.slot] },
      )
      await expect(attempt).rejects.toThrow(MonlightConfigError)
      await expect(attempt).rejects.toThrow(`port ${port} (alpha) on 127.0.0.1: the port is already in use`)
      expect((slow.seen.context!.database.sqlite as unknown as { open: boolean }).open).toBe(false)
    } finally {
      blocker.close()
    }
  })

  it('refuses ports for a module it does not run', async () => {
    await expect(startServer({ ports: { nope: 1 } }, { logger: silentLogger })).rejects.toThrow(
      'ports names unknown module(s) nope',
    )
  })
})

describe('formatBanner', () => {
  const urls = { errors: 'http://localhost:5010/', metrics: 'http://localhost:5012/' }

  it('lists each module URL and the generated key with where it was saved', () => {
    const text = formatBanner(
      {
        urls,
        indexUrl: undefined,
        config: {} as never,
        apiKeys: { keys: ['ml_abc'], origin: 'generated', file: '/srv/monlight/data/api-key' },
      },
      { version: '1.2.3', readyMs: 84.6 },
    )
    expect(text).toBe(
      [
        'Monlight 1.2.3 ready in 85 ms',
        '  errors   http://localhost:5010/',
        '  metrics  http://localhost:5012/',
        'API key: ml_abc  (generated and saved to /srv/monlight/data/api-key)',
        '',
      ].join('\n'),
    )
  })

  it('shows a saved key with its absolute path, and hides configured keys', () => {
    const saved = formatBanner(
      {
        urls,
        indexUrl: undefined,
        config: {} as never,
        apiKeys: { keys: ['k'], origin: 'file', file: '/d/api-key' },
      },
      { version: '1', readyMs: 1 },
    )
    expect(saved).toContain('API key: k… (saved in /d/api-key)')
    const configured = formatBanner(
      {
        urls,
        indexUrl: 'http://localhost:8080/',
        config: { apiKeysFrom: 'API_KEY' } as never,
        apiKeys: { keys: ['secret'], origin: 'configured' },
      },
      { version: '1', readyMs: 1 },
    )
    expect(configured).toMatch(/^Monlight 1 ready in 1 ms at http:\/\/localhost:8080\/\n/)
    expect(configured).toContain('API key: from API_KEY\n')
    expect(configured).not.toContain('secret')
  })
})

describe('displayHost', () => {
  it.each([
    ['0.0.0.0', 'localhost'],
    ['::', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
    ['monlight.internal', 'monlight.internal'],
  ])('%s → %s', (host, shown) => {
    expect(displayHost(host)).toBe(shown)
  })
})

describe('index page', () => {
  it('escapes everything it renders', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    const html = renderIndexPage({
      version: '<v>',
      modules: [{ name: 'x<y', title: '<script>alert(1)</script>', ok: false, status: 'HTTP "500"' }],
    })
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).toContain('href="./x%3Cy/"')
    expect(html).toContain('Some modules are not healthy.')
  })
})
