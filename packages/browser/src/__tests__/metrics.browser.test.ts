import { describeBrowser } from '@monlight/test-utils'
import { expect, test } from 'vitest'
import { sdkPage, useSiteAndRelay } from './server.js'

const KEY = 'metrics-key'

describeBrowser('browser SDK: network timing and Web Vitals', (browser) => {
  const servers = useSiteAndRelay()

  test('fetch and XHR: upstream metrics, sanitised URLs, 5xx and failures as NetworkError, relay calls excluded', async () => {
    // The relay is the site itself under /relay, configured with a relative endpoint.
    servers.site.page('/network', sdkPage({ dsn: KEY, endpoint: '/relay' }))
    const page = await browser.newPage()
    await page.goto(`${servers.site.origin}/network`)
    await page.evaluate(async () => {
      await fetch('/api/items/42?token=secret')
      await fetch(
        new Request('/api/items/550e8400-e29b-41d4-a716-446655440000?status=500', { method: 'post' }),
      )
      await fetch('http://127.0.0.1:9/unreachable').catch(() => {})
      const controller = new AbortController()
      const aborted = fetch('/api/items/1', { signal: controller.signal }).catch((error) => error.name)
      controller.abort()
      await aborted
      await new Promise((resolve) => {
        const xhr = new XMLHttpRequest()
        xhr.open('get', '/api/items/7?status=503')
        xhr.onloadend = resolve
        xhr.send()
      })
      // The relay's own URL, relative and absolute: never instrumented.
      await fetch('/relay/api/browser/metrics', { method: 'POST', body: '{"metrics":[]}' })
      await fetch(`${location.origin}/relay/api/browser/errors`, { method: 'POST', body: '{}' })
      await (window as any).Monlight.flush()
    })
    const host = new URL(servers.site.origin).host
    const requests = servers.site.metrics().filter((m) => m.name === 'browser_http_requests_total')
    expect(requests.map((m) => `${m.labels.method} ${m.labels.status} ${m.labels.host}`).sort()).toEqual(
      [`GET 0 127.0.0.1:9`, `GET 200 ${host}`, `GET 503 ${host}`, `POST 500 ${host}`].sort(),
    )
    expect(requests[0]).toMatchObject({
      type: 'counter',
      value: 1,
      labels: { session_id: expect.any(String), page: '/network' },
      timestamp: expect.any(String),
    })
    const durations = servers.site.metrics().filter((m) => m.name === 'browser_http_request_duration_ms')
    expect(durations).toHaveLength(4)
    for (const duration of durations)
      expect(duration).toMatchObject({ type: 'histogram', value: expect.any(Number) })

    // Skip the page's own hand-made post of `{}` to the relay path.
    const errors = servers.site
      .errors()
      .filter((e) => e.type)
      .map((e) => [e.type, e.message, e.context.type])
    expect(errors.sort()).toEqual(
      [
        ['Error', `POST ${servers.site.origin}/api/items/{id} failed with status 500`, 'NetworkError'],
        ['Error', 'GET http://127.0.0.1:9/unreachable network error: Failed to fetch', 'NetworkError'],
        ['Error', `GET ${servers.site.origin}/api/items/{id} failed with status 503`, 'NetworkError'],
      ].sort(),
    )
    expect(servers.site.received.map((r) => r.body).join()).not.toContain('secret')
    await page.close()
  })

  test('Web Vitals: FCP, TTFB and load at once; LCP, CLS and real INP once per page view, by sendBeacon on hide', async () => {
    servers.site.page(
      '/vitals',
      sdkPage(
        { dsn: KEY, endpoint: servers.relay.origin },
        `<h1 style="font-size:64px">Largest text on the page</h1>
         <button id="slow" style="width:200px;height:60px">slow</button>
         <p id="below">below</p>
         <script>
           document.getElementById('slow').addEventListener('click', () => {
             const end = performance.now() + 250
             while (performance.now() < end) {}
             document.getElementById('slow').textContent = 'done'
           })
           addEventListener('load', () => setTimeout(() => {
             const banner = document.createElement('div')
             banner.style.height = '300px'
             document.body.prepend(banner)
           }, 100))
         </script>`,
      ),
    )
    servers.site.page('/elsewhere', '<!doctype html><p>elsewhere</p>')
    const page = await browser.newPage()
    await page.goto(`${servers.site.origin}/vitals`)
    await page.waitForTimeout(400)
    await page.click('#slow')
    await page.waitForTimeout(300)
    await page.click('#slow')
    await page.waitForTimeout(300)
    // Leaving the page hides it: the SDK reports and hands the batch to sendBeacon.
    await page.goto(`${servers.site.origin}/elsewhere`)
    const vitals = await servers.relay.waitFor(() => {
      const names = servers.relay.metrics().map((m) => m.name)
      return names.includes('web_vitals_cls') && servers.relay.metrics()
    })
    const byName = Object.fromEntries(vitals.map((m) => [m.name, m]))
    expect(Object.keys(byName).sort()).toEqual(
      [
        'page_load_time',
        'web_vitals_cls',
        'web_vitals_fcp',
        'web_vitals_inp',
        'web_vitals_lcp',
        'web_vitals_ttfb',
      ].sort(),
    )
    // Each once: names listed so a failure shows which one came twice.
    expect(vitals.map((m) => m.name).sort()).toEqual(Object.keys(byName).sort())
    for (const metric of vitals) {
      expect(metric).toMatchObject({
        type: 'histogram',
        labels: { page: '/vitals', session_id: expect.any(String) },
      })
    }
    expect(byName.web_vitals_inp.value).toBeGreaterThanOrEqual(200)
    expect(byName.web_vitals_cls.value).toBeGreaterThan(0)
    expect(byName.web_vitals_lcp.value).toBeGreaterThan(0)
    const beacons = servers.relay.received.filter((r) => r.headers['sec-fetch-mode'] === 'no-cors')
    expect(beacons.length).toBeGreaterThan(0)
    for (const beacon of beacons) {
      expect(beacon.query.get('key')).toBe(KEY)
      expect(beacon.headers['content-type']).toMatch(/^text\/plain/)
    }
    expect(servers.relay.received.some((r) => r.method === 'OPTIONS')).toBe(false)
    await page.close()
  })

  test('a page restored from the back-forward cache is a new page view', async () => {
    servers.site.page('/bfcache', sdkPage({ dsn: KEY, endpoint: servers.relay.origin }, '<p>cached page</p>'))
    servers.site.page('/next', '<!doctype html><p>next</p>')
    const page = await browser.newPage()
    await page.goto(`${servers.site.origin}/bfcache`)
    await page.goto(`${servers.site.origin}/next`)
    await servers.relay.waitFor(() => servers.relay.metrics().some((m) => m.name === 'web_vitals_cls'))
    await page.goBack()
    const restored = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
    )
    const persisted = await page.evaluate(() => (window as any).Monlight !== undefined)
    await page.goto(`${servers.site.origin}/next`)
    const cls = await servers.relay.waitFor(() => {
      const reports = servers.relay.metrics().filter((m) => m.name === 'web_vitals_cls')
      return reports.length === 2 && reports
    })
    expect(restored).toBe('back_forward')
    expect(persisted).toBe(true)
    expect(cls.map((m) => m.labels.page)).toEqual(['/bfcache', '/bfcache'])
    await page.close()
  })
})
