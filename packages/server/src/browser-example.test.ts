/**
 * examples/browser as its README says: `npm start` (the CLI), a DSN key, the example page served by its own
 * script, and a person pressing its buttons in Chromium. The errors must reach the error tracker and the Web
 * Vitals and network timings the metrics collector, through the relay.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describeBrowser } from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const EXAMPLE = fileURLToPath(new URL('../../../examples/browser/', import.meta.url))
const KEY = 'browser-example-key'

describeBrowser('examples/browser against monlight start', (browser) => {
  let cli: RunningCli
  let page: ChildProcess
  let pageUrl = ''
  /** A module's read API with the key, as JSON. */
  const api = async (module: string, path: string) =>
    (await fetch(`${cli.urls[module]}${path}`, { headers: { 'x-api-key': KEY } })).json()
  const browserErrors = async () =>
    JSON.stringify(await api('errors', 'api/errors?project=example-browser&source=browser'))

  beforeAll(async () => {
    cli = await startCli(['--ports', '0,0,0,0', '--data-dir', tempDir()], {
      env: { API_KEY: KEY, CORS_ORIGINS: 'http://localhost:*' },
    })
    const created = await fetch(`${cli.urls.relay}api/dsn-keys`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: '{"project":"example-browser"}',
    })
    const { public_key } = (await created.json()) as { public_key: string }
    page = spawn(process.execPath, ['serve.js'], {
      cwd: EXAMPLE,
      env: {
        ...process.env,
        PORT: '0',
        MONLIGHT_DSN: public_key,
        MONLIGHT_RELAY: cli.urls.relay!.replace(/\/$/, ''),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: page.stdout! }).once('line', resolve),
    )
    pageUrl = /(http:\/\/localhost:\d+\/)/.exec(line)?.[1] ?? ''
  })

  afterAll(async () => {
    page?.kill()
    await cli?.stop()
    killAll()
    removeTempDirs()
  })

  it('reports the thrown error and the captured one with the page URL', async () => {
    const tab = await browser.newPage()
    await tab.goto(pageUrl)
    await tab.click('#throw')
    await tab.click('#capture')
    await tab.waitForSelector('#status:has-text("Captured")')
    await browser.screenshot(tab, 'example-browser')
    await expect.poll(browserErrors, { timeout: 10_000 }).toContain('Coupon code expired')
    expect(await browserErrors()).toContain('TypeError')
    await tab.close()
  })

  it('records Web Vitals and network timings into the metrics collector when the page is left', async () => {
    const tab = await browser.newPage()
    await tab.goto(pageUrl)
    await tab.click('#reject')
    await tab.click('#fetch')
    await tab.waitForSelector('#status:has-text("Fetched: 404")')
    // Leaving the page hides it: the SDK reports the page view's vitals by sendBeacon.
    await tab.goto('about:blank')
    const names = async () =>
      (
        (await api('metrics', 'api/metrics/names?project=example-browser')) as { metrics: { name: string }[] }
      ).metrics.map((metric) => metric.name)
    await expect
      .poll(names, { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          'browser_http_requests_total',
          'browser_http_request_duration_ms',
          'web_vitals_fcp',
          'web_vitals_ttfb',
          'page_load_time',
        ]),
      )
    const { labels } = (await api(
      'metrics',
      'api/metrics/labels?name=browser_http_requests_total&project=example-browser',
    )) as { labels: Record<string, string[]> }
    expect(labels.source).toEqual(['browser'])
    expect(JSON.stringify(labels)).not.toContain('12345') // the order id of /api/orders/12345 is sanitised
    expect(await browserErrors()).toContain('Payment provider timed out')
    await tab.close()
  })
})
