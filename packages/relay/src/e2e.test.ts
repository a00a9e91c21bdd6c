import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase } from '@monlight/core'
import { createErrors, type ErrorsModule } from '@monlight/errors'
import { type AdapterServer, describeBrowser, recordingMetrics, serveWithAdapter } from '@monlight/test-utils'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, type TestRelay } from './__fixtures__/harness.js'
import { uploadSourceMaps } from './upload.js'

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/browser-app')
const RELEASE = '2026.11.25'
const throwLine =
  readFileSync(join(APP_DIR, 'orders.ts'), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes('THROWS HERE')) + 1

describeBrowser('end to end: esbuild bundle, uploaded map, error thrown in Chromium', (browser) => {
  let harness: TestRelay
  let errors: ErrorsModule
  let relayServer: AdapterServer
  let pageServer: Server
  let pageUrl: string
  let dsn: string
  let outDir: string

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'))
    await build({
      entryPoints: [join(APP_DIR, 'app.ts')],
      bundle: true,
      minify: true,
      sourcemap: 'external',
      sourceRoot: 'webpack://shop/',
      format: 'iife',
      target: 'es2020',
      outfile: join(outDir, 'static/app.min.js'),
      logLevel: 'silent',
    })
    // The real error tracker, in the same process and database, as the standalone server composes them.
    const database = await createDatabase({ sqlite: ':memory:' })
    errors = createErrors({ database, apiKeys: ['errors-key'] })
    await errors.migrate()
    harness = await createTestRelay(
      { forward: { errors: errors.service, metrics: recordingMetrics() } },
      database,
    )
    relayServer = await serveWithAdapter('node', harness.relay.router)
    pageServer = createServer((request, response) => {
      const path = new URL(request.url!, 'http://x').pathname
      if (path === '/static/app.min.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' })
        return void response.end(readFileSync(join(outDir, 'static/app.min.js')))
      }
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<!doctype html><button id="go">Order</button>
<script>window.MonlightTest = ${JSON.stringify({ endpoint: relayServer.baseUrl, dsn, release: RELEASE })}</script>
<script src="/static/app.min.js?v=${RELEASE}#bundle"></script>`)
    })
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve))
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`
    // Per-project CORS: only this key allows the page's origin.
    dsn = (await harness.relay.service.createKey({ project: 'shop', allowed_origins: [pageUrl] })).public_key
  })
  afterAll(async () => {
    await relayServer?.close()
    pageServer?.closeAllConnections()
    await new Promise((resolve) => pageServer?.close(resolve))
    await harness?.database.destroy()
  })

  it('uploads the build folder with uploadSourceMaps', async () => {
    const result = await uploadSourceMaps({
      url: relayServer.baseUrl,
      apiKey: ADMIN_KEY,
      project: 'shop',
      release: RELEASE,
      urlPrefix: '/static',
      dir: join(outDir, 'static'),
    })
    expect(result.uploaded).toEqual(['/static/app.min.js'])
    await expect(
      uploadSourceMaps({
        url: relayServer.baseUrl,
        apiKey: 'wrong',
        project: 'shop',
        release: RELEASE,
        dir: outDir,
      }),
    ).rejects.toThrow(/401/)
  })

  it('stores the error with the original file, line and function in the error tracker', async () => {
    const page = await browser.newPage()
    await page.goto(`${pageUrl}/`)
    await page.click('#go')
    const api = async <T>(path: string) =>
      (await (
        await errors.fetch(new Request(`http://x${path}`, { headers: { 'x-api-key': 'errors-key' } }))
      ).json()) as T
    let listed: { errors: { id: number; exception_type: string }[] } = { errors: [] }
    for (const start = Date.now(); listed.errors.length === 0 && Date.now() - start < 10_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      listed = await api('/api/errors?project=shop&source=browser')
    }
    expect(listed.errors).toHaveLength(1)
    expect(listed.errors[0]!.exception_type).toBe('TypeError')
    const detail = await api<{
      traceback: string
      occurrences: { extra: { minified_stack: string; release: string } }[]
    }>(`/api/errors/${listed.errors[0]!.id}`)
    const extra = detail.occurrences[0]!.extra
    expect(extra.release).toBe(RELEASE)
    // The minified stack is kept; the stored traceback names the original function, file and line.
    expect(extra.minified_stack).toMatch(/app\.min\.js\?v=[^:]+:1:\d+/)
    const top = detail.traceback.split('\n')[1]!
    expect(top).toMatch(
      new RegExp(`^\\s+at handleClick \\(webpack://shop/.*browser-app/orders\\.ts:${throwLine}:\\d+\\)$`),
    )
    console.info(`[relay e2e] minified:\n${extra.minified_stack}\n[relay e2e] stored:\n${detail.traceback}`)
    await page.close()
  })
})
