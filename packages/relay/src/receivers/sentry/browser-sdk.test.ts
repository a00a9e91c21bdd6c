import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, type Database, silentLogger } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors, type ErrorSummary, type ErrorsModule } from '@monlight/errors'
import { describeBrowser, recordingMetrics, until } from '@monlight/test-utils'
import { build } from 'esbuild'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRelay, type RelayModule } from '../../index.js'
import { uploadSourceMaps } from '../../upload.js'

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/browser-app')
const RELEASE = 'shop@2.0.0'
const ADMIN_KEY = 'browser-sdk-test-admin-key'
/** The relay is mounted under a prefix, so DSNs and the tunnel carry a path. */
const PREFIX = '/relay'
const CHECKOUT = readFileSync(join(APP_DIR, 'checkout.ts'), 'utf8').split('\n')
const lineOf = (needle: string) => CHECKOUT.findIndex((line) => line.includes(needle)) + 1
const THROW_LINE = lineOf('THROWS HERE')
const CALL_LINE = lineOf('return applyCoupon(')

/** One request the relay answered, as its node:http server saw it. */
interface Exchange {
  method: string
  path: string
  status: number
  origin: string | undefined
}

/** What one page saw of the relay: responses, failures, console errors and what the SDK got back. */
interface Shop {
  page: Page
  responses: { method: string; url: string; status: number; allowOrigin: string | undefined }[]
  failed: string[]
  consoleErrors: string[]
  pageErrors: string[]
  /** `afterSendEvent` of the SDK: the status of every event it sent. */
  sent(): Promise<{ type: string; status: number | undefined }[]>
  flush(): Promise<boolean>
}

// The real @sentry/browser, bundled and minified by esbuild, in Chromium on another origin than the relay; the
// relay maps its frames through the uploaded source map into the real error tracker.
describeBrowser('@sentry/browser in Chromium through the relay', (context) => {
  let database: Database
  let errors: ErrorsModule
  let relay: RelayModule
  let relayServer: Server
  let pageServer: Server
  let relayBase: string
  let pageOrigin: string
  const metrics = recordingMetrics()
  const exchanges: Exchange[] = []
  const warnings: string[] = []
  const configs = new Map<string, Record<string, string>>()
  let outDir: string

  beforeAll(async () => {
    const started = Date.now()
    outDir = mkdtempSync(join(tmpdir(), 'relay-sentry-browser-'))
    await build({
      entryPoints: [join(APP_DIR, 'app.ts')],
      bundle: true,
      minify: true,
      sourcemap: 'external',
      format: 'iife',
      target: 'es2020',
      outfile: join(outDir, 'static/app.min.js'),
      logLevel: 'silent',
    })
    const built = Date.now()

    database = await createDatabase({ sqlite: ':memory:' })
    errors = createErrors({ database, apiKeys: ['errors-key'] })
    await errors.migrate()
    // Listening first: the relay is told where it is reached (PUBLIC_URL), as behind a proxy or a mount path.
    let listener: ReturnType<typeof toNodeListener> | undefined
    relayServer = createServer((request, response) => {
      response.on('finish', () =>
        exchanges.push({
          method: request.method ?? '',
          path: request.url ?? '',
          status: response.statusCode,
          origin: request.headers.origin,
        }),
      )
      void listener!(request, response)
    })
    await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve))
    relayBase = `http://127.0.0.1:${(relayServer.address() as AddressInfo).port}${PREFIX}`
    relay = createRelay({
      database,
      apiKeys: [ADMIN_KEY],
      publicUrl: relayBase,
      forward: { errors: errors.service, metrics },
      logger: {
        ...silentLogger,
        warn: (message: string, fields?: unknown) => warnings.push(`${message} ${JSON.stringify(fields)}`),
      },
    })
    await relay.migrate()
    listener = toNodeListener(relay.router, { prefix: PREFIX })

    pageServer = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname
      if (path === '/static/app.min.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' })
        return void response.end(readFileSync(join(outDir, 'static/app.min.js')))
      }
      const config = configs.get(path.slice(1))
      if (!config) return void response.writeHead(204).end()
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<!doctype html><title>shop</title>
<button id="buy">Place order</button> <button id="slow">Report slowness</button>
<script>window.ShopConfig = ${JSON.stringify(config)}</script>
<script src="/static/app.min.js?v=${encodeURIComponent(RELEASE)}"></script>`)
    })
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve))
    // Another port: another origin, so every report is a cross-origin request.
    pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`

    const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }
    const createKey = async (allowed: string[]) => {
      const response = await fetch(`${relayBase}/api/dsn-keys`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ project: 'shop', allowed_origins: allowed }),
      })
      expect(response.status).toBe(201)
      return (await response.json()) as { dsn: string; public_key: string; project_id: number }
    }
    const allowed = await createKey([pageOrigin])
    const refused = await createKey(['https://shop.example.com'])
    expect(allowed.dsn).toBe(
      `http://${allowed.public_key}@${relayBase.slice('http://'.length)}/${allowed.project_id}`,
    )
    const listed = (await (await fetch(`${relayBase}/api/dsn-keys`, { headers: admin })).json()) as {
      keys: { dsn: string }[]
    }
    expect(listed.keys.map((key) => key.dsn).sort()).toEqual([allowed.dsn, refused.dsn].sort())

    configs.set('direct', { dsn: allowed.dsn, release: RELEASE, transport: 'direct' })
    configs.set('tunnel', {
      dsn: allowed.dsn,
      release: RELEASE,
      transport: 'tunnel',
      tunnel: `${relayBase}/tunnel`,
    })
    configs.set('refused', { dsn: refused.dsn, release: RELEASE, transport: 'refused' })

    const uploaded = await uploadSourceMaps({
      url: relayBase,
      apiKey: ADMIN_KEY,
      project: 'shop',
      release: RELEASE,
      urlPrefix: '/static',
      dir: join(outDir, 'static'),
    })
    expect(uploaded.uploaded).toEqual(['/static/app.min.js'])
    console.info(
      `[sentry browser] esbuild ${built - started} ms, setup ${Date.now() - built} ms, bundle ${
        readFileSync(join(outDir, 'static/app.min.js')).length
      } bytes`,
    )
  })

  afterAll(async () => {
    relayServer?.closeAllConnections()
    pageServer?.closeAllConnections()
    await new Promise((resolve) => relayServer?.close(resolve))
    await new Promise((resolve) => pageServer?.close(resolve))
    await database?.destroy()
  })

  const openShop = async (scenario: string): Promise<Shop> => {
    const page = await context.browser.newPage()
    const shop: Shop = {
      page,
      responses: [],
      failed: [],
      consoleErrors: [],
      pageErrors: [],
      sent: () => page.evaluate(() => (globalThis as unknown as { shop: { sent: never } }).shop.sent),
      flush: () =>
        page.evaluate(() => (globalThis as unknown as { shop: { flush(): Promise<boolean> } }).shop.flush()),
    }
    // The error thrown on purpose is uncaught (the SDK rethrows what it captured); it lands here.
    page.on('pageerror', (error) => shop.pageErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') shop.consoleErrors.push(message.text())
    })
    page.on('requestfailed', (request) => {
      if (request.url().startsWith(relayBase))
        shop.failed.push(`${request.url()}: ${request.failure()?.errorText}`)
    })
    page.on('response', (response) => {
      if (!response.url().startsWith(relayBase)) return
      shop.responses.push({
        method: response.request().method(),
        url: response.url(),
        status: response.status(),
        allowOrigin: response.headers()['access-control-allow-origin'],
      })
    })
    await page.goto(`${pageOrigin}/${scenario}`)
    return shop
  }

  const listShop = () => errors.service.list({ resolved: false, project: 'shop', limit: 50, offset: 0 })
  const typeErrorGroup = (list: { errors: ErrorSummary[] }) =>
    list.errors.find((error) => error.exception_type === 'TypeError')

  /** The newest event of the TypeError group, once it has `count` reports. */
  const newestTypeError = async (count: number) => {
    const list = await until(listShop, (value) => (typeErrorGroup(value)?.count ?? 0) >= count)
    const group = typeErrorGroup(list)
    expect(group?.count, JSON.stringify(list.errors.map((e) => [e.exception_type, e.message]))).toBe(count)
    const detail = await errors.service.get(group!.id)
    return { group: group!, detail, occurrence: detail.occurrences[0]!, event: detail.occurrences[0]!.event! }
  }

  const expectOriginalFrames = (event: Awaited<ReturnType<typeof newestTypeError>>['event']) => {
    const exception = event.exceptions?.at(-1)
    expect(exception).toMatchObject({
      type: 'TypeError',
      value: expect.stringContaining('percent'),
      mechanism: { handled: false },
    })
    const frames = exception!.frames
    const top = frames.at(-1)!
    expect(top, JSON.stringify(frames, null, 1)).toMatchObject({
      filename: expect.stringMatching(/browser-app\/checkout\.ts$/),
      function: 'applyCoupon',
      lineno: THROW_LINE,
      in_app: true,
      context_line: expect.stringContaining('(coupon as { percent: number }).percent'),
    })
    expect(top.pre_context).toEqual(CHECKOUT.slice(THROW_LINE - 6, THROW_LINE - 1))
    expect(top.post_context).toEqual(CHECKOUT.slice(THROW_LINE, THROW_LINE + 5))
    expect(top).not.toHaveProperty('unmapped_reason')
    expect(frames.at(-2)).toMatchObject({
      filename: expect.stringMatching(/checkout\.ts$/),
      function: 'placeOrder',
      lineno: CALL_LINE,
      context_line: expect.stringContaining('return applyCoupon(total, cart.coupon)'),
    })
    // The click handler in app.ts, and the SDK's own wrapper out of node_modules (not in app).
    expect(frames.some((frame) => frame.filename?.endsWith('browser-app/app.ts'))).toBe(true)
    expect(
      frames
        .filter((frame) => frame.filename?.includes('node_modules/@sentry/'))
        .every((frame) => frame.in_app === false),
    ).toBe(true)
    // No frame stays minified.
    expect(frames.filter((frame) => frame.filename?.includes('app.min.js'))).toEqual([])
  }

  it('reports an error, a message, tags, user and breadcrumbs cross-origin with the DSN, frames mapped', async () => {
    const started = Date.now()
    const before = exchanges.length
    const shop = await openShop('direct')
    await shop.page.click('#buy')
    await shop.page.click('#slow')
    expect(await shop.flush()).toBe(true)

    const { group, detail, occurrence, event } = await newestTypeError(1)
    const arrived = Date.now()
    expect(group).toMatchObject({
      project: 'shop',
      source: 'browser',
      level: 'error',
      platform: 'javascript',
      first_release: RELEASE,
      message: expect.stringContaining("reading 'percent'"),
      culprit: expect.stringContaining('applyCoupon'),
    })
    expectOriginalFrames(event)
    expect(detail.traceback).toMatch(
      new RegExp(`\\n\\s+at applyCoupon \\(\\S*browser-app/checkout\\.ts:${THROW_LINE}:\\d+\\)\\n`),
    )
    expect(occurrence).toMatchObject({
      environment: 'production',
      release: RELEASE,
      user_id: 'user-7',
      request_method: 'BROWSER',
      request_url: `${pageOrigin}/direct`,
    })
    expect(event.tags).toMatchObject({ transport: 'direct', checkout_flow: 'one-page' })
    expect(event.user).toMatchObject({ id: 'user-7', email: 'ada@example.com' })
    const crumbs = event.breadcrumbs ?? []
    expect(crumbs).toContainEqual(
      expect.objectContaining({ category: 'cart', message: 'added sku-42 to the cart', level: 'info' }),
    )
    expect(crumbs).toContainEqual(expect.objectContaining({ category: 'ui.click' }))
    expect(crumbs).toContainEqual(
      expect.objectContaining({ category: 'console', message: 'placing order for 1 item' }),
    )
    expect(detail.tags.find((tag) => tag.key === 'transport')?.values).toEqual([
      { value: 'direct', count: 1 },
    ])

    const list = await until(listShop, (value) => value.errors.some((e) => e.exception_type === 'Message'))
    expect(list.errors.find((e) => e.exception_type === 'Message')).toMatchObject({
      message: 'Checkout page rendered slowly',
      level: 'warning',
      source: 'browser',
      first_release: RELEASE,
    })

    // CORS: the SDK read a 200 for each event; the relay answered the page's origin; nothing failed.
    expect(await shop.sent()).toEqual([
      { type: 'error', status: 200 },
      { type: 'error', status: 200 },
    ])
    const mine = exchanges.slice(before)
    const envelopes = mine.filter((e) => e.path.startsWith(`${PREFIX}/api/`))
    expect(envelopes.length).toBeGreaterThanOrEqual(2)
    for (const exchange of envelopes) {
      expect(exchange).toMatchObject({
        method: 'POST',
        status: 200,
        origin: pageOrigin,
        path: expect.stringMatching(/^\/relay\/api\/\d+\/envelope\/\?sentry_version=7&sentry_key=/),
      })
    }
    const posts = shop.responses.filter((r) => r.method === 'POST')
    expect(posts.length).toBeGreaterThanOrEqual(2)
    for (const response of posts) expect(response).toMatchObject({ status: 200, allowOrigin: pageOrigin })
    // The session envelopes (BrowserSession) came through too, as metrics.
    expect(metrics.points).toContainEqual(
      expect.objectContaining({
        name: 'sentry_sessions_started_total',
        project: 'shop',
        labels: expect.objectContaining({ release: RELEASE, environment: 'production' }),
      }),
    )
    expect(shop.failed).toEqual([])
    expect(shop.consoleErrors).toEqual([])
    expect(shop.pageErrors).toEqual([expect.stringContaining("reading 'percent'")])
    expect(warnings).toEqual([])
    console.info(
      `[sentry browser] direct: ${arrived - started} ms page → stored; ${mine.length} relay requests (${mine
        .map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`)
        .join(', ')})`,
    )
    await shop.page.close()
  })

  it('reports the same way through the tunnel', async () => {
    const started = Date.now()
    const before = exchanges.length
    const shop = await openShop('tunnel')
    await shop.page.click('#buy')
    expect(await shop.flush()).toBe(true)

    const { occurrence, event } = await newestTypeError(2)
    const arrived = Date.now()
    expect(event.tags).toMatchObject({ transport: 'tunnel' })
    expectOriginalFrames(event)
    expect(occurrence).toMatchObject({ environment: 'production', release: RELEASE, user_id: 'user-7' })
    expect(await shop.sent()).toEqual([{ type: 'error', status: 200 }])
    const mine = exchanges.slice(before)
    expect(mine.filter((e) => e.path.includes('/api/'))).toEqual([])
    expect(mine).toContainEqual({ method: 'POST', path: `${PREFIX}/tunnel`, status: 200, origin: pageOrigin })
    expect(mine.every((e) => e.status === 200)).toBe(true)
    expect(shop.failed).toEqual([])
    expect(shop.consoleErrors).toEqual([])
    expect(warnings).toEqual([])
    console.info(`[sentry browser] tunnel: ${arrived - started} ms page → stored`)
    await shop.page.close()
  })

  it('refuses a key whose allowed origins exclude the page, and stores nothing', async () => {
    const started = Date.now()
    const groups = await listShop()
    const before = exchanges.length
    const shop = await openShop('refused')
    await shop.page.click('#buy')
    await shop.page.click('#slow')
    await shop.flush()
    const refusals = await until(
      async () => exchanges.slice(before).filter((e) => e.status === 403),
      (value) => value.length >= 2,
    )
    expect(refusals.length).toBeGreaterThanOrEqual(2)
    for (const exchange of refusals) {
      expect(exchange).toMatchObject({
        method: 'POST',
        origin: pageOrigin,
        path: expect.stringContaining('/envelope/'),
      })
    }
    expect(exchanges.slice(before).filter((e) => e.status === 200)).toEqual([])
    // The 403 carries no Access-Control-Allow-Origin: the browser blocks it, the SDK sees a network error (no status).
    expect(await shop.sent()).toEqual([
      { type: 'error', status: undefined },
      { type: 'error', status: undefined },
    ])
    expect(shop.failed.length).toBeGreaterThanOrEqual(2)
    expect(shop.failed.every((failure) => failure.includes('/envelope/'))).toBe(true)
    await errors.alertsIdle()
    const after = await listShop()
    expect(after.total).toBe(groups.total)
    expect(after.errors.map((e) => [e.id, e.count])).toEqual(groups.errors.map((e) => [e.id, e.count]))
    console.info(
      `[sentry browser] refused: ${refusals.length} envelopes answered 403 in ${Date.now() - started} ms; the page saw ${shop.failed[0]}; console: ${shop.consoleErrors[0]?.slice(0, 160)}`,
    )
    await shop.page.close()
  })
})
