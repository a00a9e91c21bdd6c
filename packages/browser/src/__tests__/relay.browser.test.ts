import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, type Database } from '@monlight/core'
import { createRelay } from '@monlight/relay'
import {
  type AdapterServer,
  describeBrowser,
  recordingErrors,
  recordingMetrics,
  serveWithAdapter,
} from '@monlight/test-utils'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { bundleIife } from './bundle.js'
import { startTestServer, type TestServer } from './server.js'

const KEY = 'shop-dsn-key-0123456789abcdef'
const ADMIN_KEY = 'relay-admin-key-for-tests'
const RELEASE = '2026.11.25-1'

/**
 * The SDK against the real relay (`@monlight/relay`, forwarding in process to recorders standing in for the
 * errors and metrics modules): a minified app with an uploaded source map throws, fails a request and is left.
 */
describeBrowser('browser SDK end to end through @monlight/relay', (browser) => {
  let database: Database
  let relayServer: AdapterServer
  let site: TestServer
  // The Node SDK's recorder (until test-utils has one): in-process stand-ins for the errors and metrics modules.
  const errors = recordingErrors()
  const metrics = recordingMetrics()
  const { reports } = errors
  const { points } = metrics

  beforeAll(async () => {
    site = await startTestServer(await bundleIife())
    const outDir = mkdtempSync(join(tmpdir(), 'monlight-browser-e2e-'))
    await build({
      entryPoints: [fileURLToPath(new URL('fixtures/shop.ts', import.meta.url))],
      bundle: true,
      minify: true,
      sourcemap: 'external',
      format: 'iife',
      target: 'es2020',
      outfile: join(outDir, 'app.min.js'),
      logLevel: 'silent',
    })
    database = await createDatabase({ sqlite: ':memory:' })
    const relay = createRelay({
      database,
      apiKeys: [ADMIN_KEY],
      corsOrigins: [site.origin],
      dsnKeys: [{ project: 'shop', publicKey: KEY }],
      forward: { errors, metrics },
    })
    await relay.migrate()
    relayServer = await serveWithAdapter('node', relay.router, '/relay')
    const uploaded = await fetch(`${relayServer.baseUrl}/api/source-maps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({
        project: 'shop',
        release: RELEASE,
        file_url: '/static/app.min.js',
        map_content: readFileSync(join(outDir, 'app.min.js.map'), 'utf8'),
      }),
    })
    expect(uploaded.status).toBe(201)
    site.page(
      '/static/app.min.js',
      // Served as a page route: the test server answers text/html, which a classic script tag accepts.
      readFileSync(join(outDir, 'app.min.js'), 'utf8'),
    )
    const shopPage = (key: string) =>
      `<!doctype html><h1>Shop</h1><button id="order">Order</button>
       <script>window.ShopConfig = ${JSON.stringify({ dsn: relayServer.baseUrl.replace('//', `//${key}@`), release: RELEASE })}</script>
       <script src="/static/app.min.js"></script>`
    site.page('/shop', shopPage(KEY))
    // A key with its own allowed origins: the relay refuses any other origin for it.
    const strict = await relay.service.createKey({ project: 'shop', allowed_origins: [site.origin] })
    site.page('/strict', shopPage(strict.public_key))
    site.page('/left', '<!doctype html><p>left</p>')
  })
  afterAll(async () => {
    await relayServer?.close()
    await site?.close()
    await database?.destroy()
  })

  test('errors (source-mapped), network metrics and Web Vitals reach the modules', async () => {
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${site.origin}/shop`)
    await page.click('#order')
    await page.evaluate(() => fetch('/api/items/12?status=500'))
    await site.waitFor(() => reports.length >= 2)
    await page.goto(`${site.origin}/left`)
    await site.waitFor(() => points.some((point) => point.name === 'web_vitals_cls'))

    await expect.poll(() => pageErrors.length).toBe(1)
    expect(pageErrors).toEqual(['order 7 could not be placed'])
    const order = reports.find((report) => report.message === 'order 7 could not be placed')!
    expect(order).toMatchObject({ project: 'shop', exception_type: 'Error', request_method: 'BROWSER' })
    // The minified frame became the original file and function.
    expect(order.traceback).toMatch(/at placeOrder \(.*fixtures\/shop\.ts:\d+:\d+\)/)
    const network = reports.find((report) => report.message.includes('failed with status 500'))!
    expect(network.message).toBe(`GET ${site.origin}/api/items/{id} failed with status 500`)
    expect(network.extra).toMatchObject({ release: RELEASE, context: { type: 'NetworkError' } })

    const names = new Set(points.map((point) => point.name))
    for (const name of [
      'browser_http_requests_total',
      'browser_http_request_duration_ms',
      'web_vitals_fcp',
    ]) {
      expect(names).toContain(name)
    }
    expect(names).toContain('web_vitals_lcp')
    const request = points.find((point) => point.name === 'browser_http_requests_total')!
    expect(request.labels).toMatchObject({ source: 'browser', page: '/shop', method: 'GET', status: '500' })
    await page.close()
  })

  test('a page origin the relay does not allow: nothing is accepted and nothing breaks on the page', async () => {
    const before = reports.length
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    // Same server, other origin (localhost instead of 127.0.0.1): not allowed for the strict key.
    await page.goto(`${site.origin.replace('127.0.0.1', 'localhost')}/strict`)
    await page.click('#order')
    const stillWorks = await page.evaluate(async () => {
      await (window as any).Monlight.flush()
      return (await fetch('/api/items/1')).status
    })
    expect(stillWorks).toBe(200)
    await expect.poll(() => pageErrors.length).toBe(1)
    expect(pageErrors).toEqual(['order 7 could not be placed'])
    expect(reports.length).toBe(before)
    await page.close()
  })
})
