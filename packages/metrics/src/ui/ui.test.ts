import type { MetricPoint } from '@monlight/core'
import { type AdapterServer, describeBrowser, enterApiKey, serveWithAdapter } from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { API_KEY, createHarness, type Harness } from '../__fixtures__/harness.js'

const HOSTILE_PAGE = '/<img src=x onerror="window.__xss=1">'
const LONG_NAME = 'process_runtime_nodejs_memory_heap_space_used_bytes'

/** An hour of traffic: requests with latencies and some 5xx, Web Vitals on three pages, a gauge. */
function dataSet(now: number): MetricPoint[] {
  const points: MetricPoint[] = []
  for (let m = 59; m >= 0; m--) {
    const timestamp = now - m * 60_000
    for (let i = 0; i < 20; i++) {
      const status = i === 0 && m % 3 === 0 ? '500' : '200'
      const labels = { method: i % 4 ? 'GET' : 'POST', endpoint: i % 2 ? '/users/{id}' : '/cart', status }
      points.push({ name: 'http_requests_total', type: 'counter', value: 1, labels, timestamp })
      const latency = 0.02 + ((i * 37 + m * 11) % 100) / 400 + (m > 40 && m < 45 ? 0.4 : 0)
      points.push({
        name: 'http_request_duration_seconds',
        type: 'histogram',
        value: latency,
        labels,
        timestamp,
      })
    }
    points.push({
      name: 'queue_depth',
      type: 'gauge',
      value: 10 + (m % 7),
      labels: { queue: 'mail' },
      timestamp,
    })
    points.push({ name: LONG_NAME, type: 'gauge', value: 48e6 + m * 1e5, timestamp })
    const page = ['/', '/checkout', HOSTILE_PAGE][m % 3]!
    points.push({
      name: 'web_vitals_lcp',
      type: 'histogram',
      value: 1800 + m * 40,
      labels: { page },
      timestamp,
    })
    points.push({
      name: 'web_vitals_inp',
      type: 'histogram',
      value: 120 + m * 6,
      labels: { page },
      timestamp,
    })
    points.push({
      name: 'web_vitals_cls',
      type: 'histogram',
      value: 0.02 + (m % 5) / 20,
      labels: { page },
      timestamp,
    })
  }
  return points
}

describeBrowser('metrics web UI (Chromium, mounted under /mnt)', (browser) => {
  let harness: Harness
  let server: AdapterServer

  beforeAll(async () => {
    harness = await createHarness('sqlite')
    harness.clock.now = Date.now()
    const points = dataSet(harness.clock.now - 60_000)
    for (let i = 0; i < points.length; i += 1000) await harness.service.ingest(points.slice(i, i + 1000))
    harness.clock.now += 5000
    await harness.service.aggregate()
    server = await serveWithAdapter('node', harness.metrics.router)
  })
  afterAll(async () => {
    await server?.close()
    await harness?.close()
  })
  const visible = (errors: string[]) => errors.filter((line) => !line.includes('Failed to load resource'))

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows the dashboard with HTTP charts and rated Web Vitals (${colorScheme})`, async () => {
      const page = await browser.newPage({ colorScheme, height: 1400 })
      await page.goto(`${server.baseUrl}/?period=2h`)
      await enterApiKey(page, API_KEY)
      await page.locator('[data-vital=lcp]').waitFor()
      await page.waitForFunction(() => document.querySelectorAll('.uplot').length >= 4)
      expect(await page.locator('.stat .value').first().textContent()).toBe('2,700')
      expect(await page.locator('[data-vital=lcp]').getAttribute('class')).toContain('needs-improvement')
      expect(await page.locator('[data-vital=cls]').getAttribute('class')).toMatch(
        /good|needs-improvement|poor/,
      )
      expect(await page.locator('table.list').first().textContent()).toContain('<img src=x')
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
      await browser.screenshot(page, `metrics-dashboard-${colorScheme}`)
      expect(visible(browser.errors)).toEqual([])
    })
  }

  it('switches period with the presets; axes carry units and their labels never overlap, even narrow', async () => {
    const page = await browser.newPage({ width: 420, height: 1600 })
    await page.goto(`${server.baseUrl}/`)
    await enterApiKey(page, API_KEY)
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length >= 4)
    expect(await page.locator('.segmented button[aria-pressed=true]').textContent()).toBe('24h')
    await page.locator('.segmented button', { hasText: '6h' }).click()
    await page.waitForFunction(() => location.search.includes('period=6h'))
    expect(await page.locator('.segmented button[aria-pressed=true]').textContent()).toBe('6h')
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length >= 4)
    await page.waitForTimeout(300)
    const axes = await page.evaluate(() => {
      const measure = document.createElement('canvas').getContext('2d')!
      return [...document.querySelectorAll('figure.chart')].flatMap((figure) => {
        const plot = (figure.querySelector('.chart-body') as unknown as { plot?: any }).plot
        if (!plot) return []
        measure.font = plot.axes[0].font[0]
        const width = (label: string) =>
          Math.max(...label.split('\n').map((l) => measure.measureText(l).width))
        const x = plot.axes[0]
        const xs = (x._splits as number[]).map((v) => plot.valToPos(v, 'x'))
        const xLabels = x._values as string[]
        let overlaps = 0
        for (let i = 1; i < xs.length; i++)
          if (xs[i]! - xs[i - 1]! < (width(xLabels[i]!) + width(xLabels[i - 1]!)) / 2 + 4) overlaps++
        const y = plot.axes[1]
        return [
          {
            title: figure.querySelector('figcaption')!.textContent,
            overlaps,
            yLabels: y._values as string[],
            yFits: (y._values as string[]).every((label) => width(label) + 8 <= y._size),
          },
        ]
      })
    })
    const byTitle = Object.fromEntries(axes.map((axis) => [axis.title, axis]))
    expect(byTitle.Latency!.yLabels.filter(Boolean).every((label) => / (ms|s)$/.test(label))).toBe(true)
    expect(byTitle['Error rate (5xx)']!.yLabels.every((label) => label.endsWith(' %'))).toBe(true)
    expect(byTitle['Request rate']!.yLabels.every((label) => label.endsWith('/s'))).toBe(true)
    for (const axis of axes) expect(axis, axis.title!).toMatchObject({ overlaps: 0, yFits: true })
    await browser.screenshot(page, 'metrics-dashboard-narrow')
    expect(visible(browser.errors)).toEqual([])
  })

  it('explores a histogram with label filters, grouping and resolution, and searches metrics', async () => {
    const page = await browser.newPage({ colorScheme: 'dark', height: 1000 })
    page.setDefaultTimeout(8000)
    await page.goto(`${server.baseUrl}/?view=explorer&period=2h&metric=http_request_duration_seconds`)
    await enterApiKey(page, API_KEY)
    await page.locator('select[name=status]').waitFor()
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length >= 2)
    expect(await page.locator('.u-legend').first().textContent()).toContain('p95')

    await page.locator('select[name=group_by]').selectOption('endpoint')
    await page.waitForFunction((part) => location.search.includes(part), 'group_by=endpoint')
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 3)
    await browser.screenshot(page, 'metrics-explorer-dark')
    await page.locator('select[name=status]').selectOption('500')
    await page.waitForFunction((part) => location.search.includes(part), 'labels=status%3A500')
    // Only /cart ever answered 500: one group left.
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 2)

    await page.locator('input[type=search]').fill('queue')
    await page.waitForFunction(() => document.querySelectorAll('.picker li').length === 1)
    await page.locator('.picker li button').click()
    await page.waitForFunction((part) => location.search.includes(part), 'metric=queue_depth')
    await page.waitForFunction(() =>
      document.querySelector('figcaption')?.textContent?.includes('queue_depth (average)'),
    )
    await browser.screenshot(page, 'metrics-explorer-gauge-dark')

    // A long OpenTelemetry-style name is shown whole in the picker, and its unit (bytes) labels the axis.
    await page.locator('input[type=search]').fill('heap')
    await page.waitForFunction(() => document.querySelectorAll('.picker li').length === 1)
    const name = page.locator('.picker li .name')
    expect(await name.textContent()).toBe(LONG_NAME)
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
    await page.locator('.picker li button').click()
    await page.waitForFunction(
      (title) => document.querySelector('figcaption')?.textContent?.includes(title),
      `${LONG_NAME} (average)`,
    )
    await page.waitForFunction(() => (document.querySelector('.chart-body') as any)?.plot)
    const yLabels = await page.evaluate(
      () => (document.querySelector('.chart-body') as any).plot.axes[1]._values as string[],
    )
    expect(yLabels.every((label) => label.endsWith(' MiB'))).toBe(true)
    await browser.screenshot(page, 'metrics-explorer-long-name-dark')
    expect(visible(browser.errors)).toEqual([])
  })
})
