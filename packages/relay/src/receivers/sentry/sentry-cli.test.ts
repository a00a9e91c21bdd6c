import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createDatabase, type Database, silentLogger } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors, type ErrorsModule } from '@monlight/errors'
import { describeBrowser, recordingMetrics, until } from '@monlight/test-utils'
import { sentryEsbuildPlugin } from '@sentry/esbuild-plugin'
import { type BuildOptions, build } from 'esbuild'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRelay, type RelayModule } from '../../index.js'

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/browser-app')
const SENTRY_CLI = createRequire(import.meta.url).resolve('@sentry/cli/bin/sentry-cli')
const ADMIN_KEY = 'sentry-cli-test-admin-key'
const PLUGIN_RELEASE = 'shop@3.0.0'
const CHECKOUT = readFileSync(join(APP_DIR, 'checkout.ts'), 'utf8').split('\n')
const THROW_LINE = CHECKOUT.findIndex((line) => line.includes('THROWS HERE')) + 1
const run = promisify(execFile)

// Source maps uploaded the way front-end teams already do it, by the real tools: `sentry-cli sourcemaps inject` +
// `upload` (no release: debug IDs only) and @sentry/esbuild-plugin (which runs its own sentry-cli 2.x). Then the
// real @sentry/browser in Chromium reports from those bundles, and the error tracker shows the original frames.
describeBrowser('maps uploaded by sentry-cli and @sentry/esbuild-plugin', (context) => {
  let database: Database
  let errors: ErrorsModule
  let relay: RelayModule
  let relayServer: Server
  let pageServer: Server
  let relayBase: string
  let pageOrigin: string
  let dsn: string
  let outDir: string
  const requests: string[] = []
  const warnings: string[] = []

  /** The browser app, minified with an external map, into `<outDir>/<name>/static/app.min.js`. */
  const buildApp = (name: string, extra: Partial<BuildOptions> = {}) =>
    build({
      entryPoints: [join(APP_DIR, 'app.ts')],
      bundle: true,
      minify: true,
      sourcemap: 'external',
      format: 'iife',
      target: 'es2020',
      outfile: join(outDir, name, 'static/app.min.js'),
      logLevel: 'silent',
      ...extra,
    })

  const sentryCli = (args: string[]) =>
    run(process.execPath, [SENTRY_CLI, ...args], {
      env: { ...process.env, SENTRY_DISABLE_UPDATE_CHECK: 'true', SENTRY_LOG_LEVEL: 'warn' },
    })

  beforeAll(async () => {
    const started = Date.now()
    outDir = mkdtempSync(join(tmpdir(), 'relay-sentry-cli-'))
    database = await createDatabase({ sqlite: ':memory:' })
    errors = createErrors({ database, apiKeys: ['errors-key'] })
    await errors.migrate()
    relay = createRelay({
      database,
      apiKeys: [ADMIN_KEY],
      forward: { errors: errors.service, metrics: recordingMetrics() },
      logger: {
        ...silentLogger,
        warn: (message: string, fields?: unknown) => warnings.push(`${message} ${JSON.stringify(fields)}`),
      },
    })
    await relay.migrate()
    const listener = toNodeListener(relay.router)
    relayServer = createServer((request, response) => {
      response.on('finish', () =>
        requests.push(`${request.method} ${request.url?.split('?')[0]} ${response.statusCode}`),
      )
      void listener(request, response)
    })
    await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve))
    relayBase = `http://127.0.0.1:${(relayServer.address() as AddressInfo).port}`

    pageServer = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname
      const script = /^\/(\w+)\/static\/app\.min\.js$/.exec(path)
      if (script) {
        response.writeHead(200, { 'content-type': 'text/javascript' })
        return void response.end(readFileSync(join(outDir, script[1]!, 'static/app.min.js')))
      }
      const name = path.slice(1)
      const release = name === 'plugin' ? PLUGIN_RELEASE : undefined
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<!doctype html><title>shop</title><button id="buy">Place order</button><button id="slow">Slow</button>
<script>window.ShopConfig = ${JSON.stringify({ dsn, release, transport: name })}</script>
<script src="/${name}/static/app.min.js"></script>`)
    })
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve))
    pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`

    const key = await fetch(`${relayBase}/api/dsn-keys`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'shop', allowed_origins: [pageOrigin] }),
    })
    dsn = ((await key.json()) as { dsn: string }).dsn
    console.info(`[sentry-cli] setup ${Date.now() - started} ms`)
  })

  afterAll(async () => {
    relayServer?.closeAllConnections()
    pageServer?.closeAllConnections()
    await new Promise((resolve) => relayServer?.close(resolve))
    await new Promise((resolve) => pageServer?.close(resolve))
    await database?.destroy()
  })

  const listMaps = async () =>
    (
      (await (
        await fetch(`${relayBase}/api/source-maps`, { headers: { 'x-api-key': ADMIN_KEY } })
      ).json()) as {
        source_maps: { release: string | null; file_url: string; debug_id: string | null }[]
      }
    ).source_maps

  /** Opens `/<name>`, clicks the button that throws, and returns the stored event of that page's TypeError. */
  const reportFrom = async (name: string) => {
    const page = await context.browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${pageOrigin}/${name}`)
    await page.click('#buy')
    expect(
      await page.evaluate(() =>
        (globalThis as never as { shop: { flush(): Promise<boolean> } }).shop.flush(),
      ),
    ).toBe(true)
    const sent = await page.evaluate(() => (globalThis as never as { shop: { sent: unknown } }).shop.sent)
    expect(sent).toEqual([{ type: 'error', status: 200 }])
    expect(pageErrors).toEqual([expect.stringContaining("reading 'percent'")])
    await page.close()
    const find = async () => {
      const list = await errors.service.list({ resolved: false, project: 'shop', limit: 50, offset: 0 })
      for (const group of list.errors) {
        for (const occurrence of (await errors.service.get(group.id)).occurrences) {
          if (occurrence.event?.tags?.transport === name) return occurrence.event
        }
      }
      return undefined
    }
    const event = await until(find, (value) => value !== undefined)
    expect(event, `no event from /${name}`).toBeDefined()
    return event!
  }

  const topFrame = (event: Awaited<ReturnType<typeof reportFrom>>) => event.exceptions!.at(-1)!.frames.at(-1)!

  it('sentry-cli: inject and upload without a release; events map by debug ID', async () => {
    await buildApp('cli')
    const inject = await sentryCli(['sourcemaps', 'inject', join(outDir, 'cli')])
    const debugId = /([0-9a-f-]{36}) - .*app\.min\.js\.map/.exec(inject.stdout)?.[1]
    expect(debugId, inject.stdout).toBeDefined()
    const started = Date.now()
    const upload = await sentryCli([
      '--url',
      relayBase,
      '--auth-token',
      ADMIN_KEY,
      'sourcemaps',
      'upload',
      '--org',
      'any-org',
      '--project',
      'shop',
      join(outDir, 'cli'),
    ])
    const uploadMs = Date.now() - started
    expect(upload.stdout).toContain('File processing complete')
    expect(await listMaps()).toContainEqual(
      expect.objectContaining({ release: null, file_url: '/static/app.min.js', debug_id: debugId }),
    )

    // The page loads the file from /cli/static/…, not the uploaded ~/static/… path: only the debug ID can match.
    const event = await reportFrom('cli')
    expect(event.release).toBeUndefined()
    expect(topFrame(event)).toMatchObject({
      filename: expect.stringMatching(/browser-app\/checkout\.ts$/),
      function: 'applyCoupon',
      lineno: THROW_LINE,
      context_line: expect.stringContaining('(coupon as { percent: number }).percent'),
    })
    expect(topFrame(event)).not.toHaveProperty('unmapped_reason')
    expect(requests).toEqual(
      expect.arrayContaining([
        'GET /api/0/organizations/any-org/chunk-upload/ 200',
        'POST /api/0/organizations/any-org/chunk-upload/ 200',
        'POST /api/0/organizations/any-org/artifactbundle/assemble/ 200',
      ]),
    )
    expect(warnings).toEqual([])
    console.info(
      `[sentry-cli] upload ${uploadMs} ms: ${requests.filter((r) => r.includes('/api/0/')).join(', ')}`,
    )
  })

  it('@sentry/esbuild-plugin: builds, injects, creates the release and uploads; events map', async () => {
    const failures: Error[] = []
    const before = requests.length
    const started = Date.now()
    await buildApp('plugin', {
      // The plugin turns the entry into an import, and this package's `"sideEffects": false` would drop the app.
      ignoreAnnotations: true,
      plugins: [
        sentryEsbuildPlugin({
          url: relayBase,
          authToken: ADMIN_KEY,
          org: 'any-org',
          project: 'shop',
          release: { name: PLUGIN_RELEASE },
          telemetry: false,
          silent: true,
          errorHandler: (error) => failures.push(error),
        }),
      ],
    })
    const buildMs = Date.now() - started
    expect(failures).toEqual([])
    const calls = requests.slice(before)
    expect(calls).toEqual(
      expect.arrayContaining([
        'POST /api/0/projects/any-org/shop/releases/ 201',
        'POST /api/0/organizations/any-org/artifactbundle/assemble/ 200',
      ]),
    )
    expect(calls.filter((call) => !/ 20[01]$/.test(call))).toEqual([])
    const maps = await listMaps()
    expect(maps).toContainEqual(
      expect.objectContaining({
        release: PLUGIN_RELEASE,
        debug_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    )

    const event = await reportFrom('plugin')
    expect(event.release).toBe(PLUGIN_RELEASE)
    expect(topFrame(event)).toMatchObject({
      filename: expect.stringMatching(/browser-app\/checkout\.ts$/),
      function: 'applyCoupon',
      lineno: THROW_LINE,
      context_line: expect.stringContaining('(coupon as { percent: number }).percent'),
    })
    console.info(`[esbuild plugin] build + upload ${buildMs} ms: ${calls.join(', ')}`)
  })

  it('a frame whose debug ID has no uploaded map says why it is not mapped', async () => {
    // Injected but never uploaded: another build (a banner changes its content, so its debug ID).
    await buildApp('stale', { banner: { js: '/* a build nobody uploaded */' } })
    await sentryCli(['sourcemaps', 'inject', join(outDir, 'stale')])
    const top = topFrame(await reportFrom('stale'))
    expect(top.filename).toMatch(/\/stale\/static\/app\.min\.js$/)
    expect(top.unmapped_reason).toMatch(
      /^no source map uploaded with debug ID [0-9a-f-]{36} \(\/stale\/static\/app\.min\.js\)$/,
    )
  })

  it('sentry-cli fails with the reason for a wrong token or an unknown project', async () => {
    const upload = (token: string, project: string) =>
      sentryCli([
        '--url',
        relayBase,
        '--auth-token',
        token,
        'sourcemaps',
        'upload',
        '--org',
        'any-org',
        '--project',
        project,
        join(outDir, 'cli'),
      ]).then(
        () => 'succeeded',
        (error: { stderr: string }) => error.stderr,
      )
    expect(await upload('not-the-key', 'shop')).toContain('http status: 401')
    expect(await upload(ADMIN_KEY, 'no-such-project')).toContain('Unknown project \\"no-such-project\\"')
  })
})
