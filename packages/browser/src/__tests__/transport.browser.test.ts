import { describeBrowser } from '@monlight/test-utils'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { sdkPage, useSiteAndRelay } from './server.js'

const KEY = 'transport-key'
// `sampleRate: 0` keeps Web Vitals batches out of the way: scripted answers then only meet error posts.

/** Records every fetch the page makes (before the SDK loads), with its keepalive flag. */
const FETCH_SPY = `<script>
  window.fetchCalls = []
  const realFetch = window.fetch
  window.fetch = (input, init) => {
    window.fetchCalls.push({ url: String(input), keepalive: !!(init && init.keepalive), size: init && init.body ? init.body.length : 0 })
    return realFetch(input, init)
  }
</script>`

describeBrowser('browser SDK: transport', (browser) => {
  const servers = useSiteAndRelay()

  const open = async (config: object, head = ''): Promise<[Page, string[]]> => {
    const path = `/t${Math.random().toString(36).slice(2)}`
    servers.site.page(path, sdkPage(config, '', head))
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${servers.site.origin}${path}`)
    return [page, pageErrors]
  }
  const capture = (page: Page, message: string) =>
    page.evaluate((text) => (window as any).Monlight.captureError(new Error(text)), message)
  const posts = () => servers.relay.received.filter((r) => r.method === 'POST' && r.path.endsWith('/errors'))

  test('429 pauses sending until Retry-After has passed, then the same event is sent again', async () => {
    servers.relay.answers.push({ status: 429, headers: { 'retry-after': '1' } })
    const [page] = await open({ dsn: KEY, endpoint: servers.relay.origin, sampleRate: 0 })
    await capture(page, 'rate limited')
    await servers.relay.waitFor(() => posts().length === 2)
    const [first, second] = posts()
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
    expect(second!.body).toBe(first!.body)
    await page.close()
  })

  test('network errors and 5xx are retried with backoff, at most 4 attempts', async () => {
    servers.relay.answers.push(
      { status: 503 },
      { status: 500 },
      { status: 502 },
      { status: 500 },
      { status: 500 },
    )
    const [page] = await open({ dsn: KEY, endpoint: servers.relay.origin, sampleRate: 0 })
    await capture(page, 'retried')
    await servers.relay.waitFor(() => posts().length === 4, 15_000)
    const gaps = posts()
      .slice(1)
      .map((post, i) => post.at - posts()[i]!.at)
    // 1 s, 2 s, 4 s with ±20 % jitter.
    expect(gaps[0]).toBeGreaterThanOrEqual(750)
    expect(gaps[1]).toBeGreaterThanOrEqual(1550)
    expect(gaps[2]).toBeGreaterThanOrEqual(3150)
    await page.waitForTimeout(1000)
    expect(posts()).toHaveLength(4)
    await page.close()
  }, 25_000)

  test('keepalive only while the bodies in flight stay under 64 KiB; a slow relay delays flush() but it resolves', async () => {
    servers.relay.answers.push(
      { status: 202, delayMs: 800 },
      { status: 202, delayMs: 800 },
      { status: 202, delayMs: 800 },
    )
    const [page] = await open({ dsn: KEY, endpoint: servers.relay.origin, sampleRate: 0 }, FETCH_SPY)
    const result = await page.evaluate(async () => {
      const client = (window as any).Monlight
      for (const n of [1, 2, 3]) client.captureError(new Error(`${n}`.repeat(12_000)))
      const started = performance.now()
      const flushed = await client.flush()
      return { flushed, waited: performance.now() - started, calls: (window as any).fetchCalls }
    })
    expect(result.flushed).toBe(true)
    expect(result.waited).toBeGreaterThanOrEqual(700)
    const sdkCalls = result.calls.filter((call: any) => call.url.startsWith(servers.relay.origin))
    expect(sdkCalls.map((call: any) => call.keepalive)).toEqual([true, true, false])
    expect(posts()).toHaveLength(3)
    await page.close()
  })

  test('an unreachable relay: bounded queue, flush() resolves false, nothing reaches the page', async () => {
    const [page, pageErrors] = await open(
      { dsn: KEY, endpoint: 'http://127.0.0.1:9', sampleRate: 0 },
      FETCH_SPY,
    )
    const result = await page.evaluate(async () => {
      const client = (window as any).Monlight
      for (let n = 0; n < 300; n++) client.captureError(new Error(`error ${n}`))
      const flushed = await client.flush()
      const ownFetch = await fetch('/api/items/1').then((response) => response.status)
      return { flushed, attempts: (window as any).fetchCalls.length, ownFetch }
    })
    expect(result).toEqual({ flushed: false, attempts: 50 + 1, ownFetch: 200 })
    expect(pageErrors).toEqual([])
    await page.close()
  })

  test('a relay that does not allow the page origin: the page keeps working, no errors leak into it', async () => {
    servers.relay.cors = false
    const [page, pageErrors] = await open({ dsn: KEY, endpoint: servers.relay.origin, sampleRate: 0 })
    const status = await page.evaluate(async () => {
      const client = (window as any).Monlight
      client.captureError(new Error('refused by CORS'))
      const flushed = await client.flush()
      return [flushed, await fetch('/api/items/3').then((response) => response.status)]
    })
    // The browser hides the answer: the SDK sees a network error and keeps the event for a retry.
    expect(status).toEqual([false, 200])
    expect(pageErrors).toEqual([])
    await page.close()
  })
})
