import type { ErrorEvent } from '@monlight/core'
import { createDatabase } from '@monlight/core'
import { type AdapterServer, describeBrowser, enterApiKey, serveWithAdapter } from '@monlight/test-utils'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createErrors } from '../index.js'
import { browserReport, pythonReport } from '../test-support.js'

// Each test walks many pages in one browser; on a loaded machine (CI runs every suite at once) that takes longer.
vi.setConfig({ testTimeout: 60_000 })

const KEY = 'ui-test-key'
const HOSTILE = '<img src=x onerror="window.__xss=1"> <b>not bold</b> & friends'
const CONTEXT_LINE = '  return cart.items.reduce((sum, item) => sum + item.price.total, 0)'

/** A Sentry-grade browser event: a chain of two exceptions, in-app and library frames, breadcrumbs and context. */
function checkoutEvent(attempt: number, now: number): ErrorEvent {
  const at = now - (4 - attempt) * 60_000
  return {
    event_id: `${'c0ffee'.repeat(5)}0${attempt}`,
    level: 'error',
    platform: 'javascript',
    timestamp: at,
    release: '1.2.0',
    dist: 'web-42',
    server_name: 'edge-3',
    transaction: '/checkout',
    exceptions: [
      {
        type: 'FetchError',
        value: 'request to /api/prices failed: socket hang up',
        mechanism: { type: 'generic', handled: true },
        frames: [
          { function: 'loadPrices', filename: 'src/prices.ts', lineno: 8, colno: 11, in_app: true },
          { function: 'fetch', filename: 'node_modules/ky/distribution/core.js', lineno: 120, in_app: false },
        ],
      },
      {
        type: 'TypeError',
        value: "Cannot read properties of undefined (reading 'total')",
        mechanism: { type: 'onunhandledrejection', handled: false },
        frames: [
          { function: 'handle', filename: 'node_modules/router/lib/layer.js', lineno: 95, in_app: false },
          { function: 'next', filename: 'node_modules/router/lib/route.js', lineno: 149, in_app: false },
          {
            function: 'checkout',
            filename: 'src/checkout.ts',
            abs_path: 'webpack:///src/checkout.ts',
            lineno: 31,
            colno: 5,
            in_app: true,
            context_line: '  const total = computeTotal(cart)',
            pre_context: ['export async function checkout(cart: Cart) {'],
            post_context: ['  return pay(total)', '}'],
          },
          {
            function: 'computeTotal',
            filename: 'src/cart.ts',
            lineno: 17,
            colno: 52,
            in_app: true,
            pre_context: ['', 'export function computeTotal(cart: Cart): number {', `  // ${HOSTILE}`],
            context_line: CONTEXT_LINE,
            post_context: ['}'],
            vars: { cart: { items: 2, note: HOSTILE }, currency: 'EUR' },
          },
          {
            function: 'Array.reduce',
            filename: 'app.min.js',
            lineno: 1,
            colno: 8123,
            in_app: false,
            unmapped_reason: 'no source map',
          },
        ],
      },
    ],
    breadcrumbs: [
      ...Array.from({ length: attempt === 3 ? 104 : 2 }, (_, i) => ({
        timestamp: at - 600_000 + i * 1000,
        category: 'console',
        level: 'info',
        message: `render step ${i}`,
      })),
      { timestamp: at - 5000, category: 'navigation', data: { from: '/cart', to: '/checkout' } },
      { timestamp: at - 3000, category: 'ui.click', message: HOSTILE },
      {
        timestamp: at - 1500,
        type: 'http',
        category: 'fetch',
        level: 'error',
        message: 'GET /api/prices',
        data: { method: 'GET', url: '/api/prices', status_code: 502 },
      },
    ],
    tags: { feature: 'checkout', attempt: String(attempt), hostile: HOSTILE },
    contexts: {
      browser: { name: 'Chrome' },
      os: { name: 'macOS', version: '14.2' },
      device: { family: 'Mac', model: 'MacBookPro18,3', note: HOSTILE },
      trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
    },
    user: { id: 'u-42', email: 'ada@example.com', ip_address: '203.0.113.7' },
    request: {
      url: 'https://shop.example.com/checkout',
      method: 'POST',
      query_string: 'step=2&coupon=SPRING',
      headers: {
        'user-agent': 'Mozilla/5.0 (Macintosh) Chrome/120.0',
        referer: 'https://shop.example.com/cart',
      },
      data: { coupon: 'SPRING' },
    },
    sdk: { name: 'sentry.javascript.browser', version: '8.4.0' },
  }
}

describeBrowser('errors web UI (Chromium, mounted under /mnt)', (browser) => {
  let server: AdapterServer
  let hostileId = 0
  let checkoutId = 0
  let firefoxId = 0
  let keyErrorId = 0
  const database = createDatabase({ sqlite: ':memory:' })

  beforeAll(async () => {
    const errors = createErrors({ database: await database, apiKeys: [KEY] })
    await errors.migrate()
    hostileId = (
      await errors.service.ingest(
        pythonReport({ project: 'shop', exception_type: 'ValueError', message: HOSTILE }),
      )
    ).id
    for (let i = 0; i < 12; i++)
      await errors.service.ingest(
        pythonReport({
          project: 'shop',
          exception_type: 'ValueError',
          message: HOSTILE,
          user_id: `user-${i}`,
          request_method: 'POST',
          request_url: '/cart',
          request_headers: { 'user-agent': 'curl/8' },
          extra: { order: i },
        }),
      )
    await errors.service.ingest(browserReport({ project: 'web', environment: 'production' }))
    keyErrorId = (
      await errors.service.ingest(
        pythonReport({
          project: 'billing',
          exception_type: 'KeyError',
          message: "'customer_id'",
          traceback: 'Traceback:\n  File "/srv/billing.py", line 9, in charge\nKeyError',
        }),
      )
    ).id
    const now = Date.now()
    for (let attempt = 1; attempt <= 3; attempt++) {
      checkoutId = (
        await errors.service.ingest({
          project: 'storefront',
          exception_type: 'TypeError',
          message: "Cannot read properties of undefined (reading 'total')",
          traceback: '',
          environment: 'production',
          event: checkoutEvent(attempt, now),
        })
      ).id
    }
    firefoxId = (
      await errors.service.ingest({
        project: 'storefront',
        exception_type: 'RangeError',
        message: 'Invalid array length',
        traceback: '',
        environment: 'staging',
        event: {
          release: '1.1.0',
          level: 'warning',
          exceptions: [
            {
              type: 'RangeError',
              value: 'Invalid array length',
              frames: [{ function: 'grid', filename: 'src/grid.ts', lineno: 3, in_app: true }],
            },
          ],
          contexts: { browser: { name: 'Firefox' } },
        },
      })
    ).id
    server = await serveWithAdapter('node', errors.router)
  })
  afterAll(async () => {
    await server?.close()
    await (await database).destroy()
  })

  const visible = (errors: string[]) => errors.filter((line) => !line.includes('Failed to load resource'))
  const rows = (page: Page, n: number) =>
    page.waitForFunction((n) => document.querySelectorAll('table.list tbody tr').length === n, n)
  const onlyRow = (page: Page, id: number) =>
    page.waitForFunction((id) => {
      const trs = document.querySelectorAll<HTMLElement>('table.list tbody tr')
      return trs.length === 1 && trs[0]?.dataset.id === String(id)
    }, id)
  const noXss = async (page: Page) => {
    expect(await page.locator('main img, main b').count()).toBe(0)
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
  }

  it('asks for the key, lists errors with HTML shown as text, filters, and opens a detail page', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.baseUrl}/`)
    await enterApiKey(page, KEY)
    await page.locator('table.list tbody tr').first().waitFor()
    expect(await page.locator('table.list tbody tr').count()).toBe(5)

    const row = page.locator(`tr[data-id="${hostileId}"]`)
    expect(await row.locator('td').nth(1).textContent()).toContain('<img src=x onerror=')
    await noXss(page)
    expect(await row.locator('.count').textContent()).toBe('13')
    // The 24-hour sparkline has one bar per hour.
    expect(await row.locator('svg.sparkline rect').count()).toBe(24)
    await browser.screenshot(page, 'errors-list-light')

    await page.locator('select[name=project]').selectOption('web')
    await rows(page, 1)
    expect(page.url()).toContain('project=web')
    await page.locator('select[name=project]').selectOption('')
    await page.locator('input[name=search]').fill('customer')
    await rows(page, 1)
    expect(await page.locator('table.list tbody').textContent()).toContain('KeyError')
    await page.locator('input[name=search]').fill('')
    await rows(page, 5)
    // Environment and release are selects filled from api/facets.
    await page.locator('select[name=release] option[value="1.1.0"]').waitFor({ state: 'attached' })
    await page.locator('select[name=environment]').selectOption('staging')
    await rows(page, 1)
    expect(await page.locator('table.list tbody').textContent()).toContain('RangeError')
    await page.locator('select[name=environment]').selectOption('')
    await page.locator('select[name=release]').selectOption('1.2.0')
    await rows(page, 1)
    expect(await page.locator(`tr[data-id="${checkoutId}"]`).count()).toBe(1)
    await page.locator('select[name=release]').selectOption('')
    await page.locator('select[name=sort]').selectOption('count')
    await rows(page, 5)
    expect(await page.locator('table.list tbody tr').first().getAttribute('data-id')).toBe(String(hostileId))
    expect(page.url()).toContain('sort=count')

    await row.locator('a').click()
    await page.waitForURL(`${server.baseUrl}/errors/${hostileId}`)
    await page.locator('pre.traceback').waitFor()
    expect(await page.locator('.detail-head .message').textContent()).toBe(HOSTILE)
    await noXss(page)
    expect(await page.locator('pre.traceback').textContent()).toContain('File "/app/test.py", line 42')
    expect(await page.locator('.event-title h2').textContent()).toBe('Event #13')
    expect(await page.locator('.ev-user').textContent()).toContain('user-11')
    expect(await page.locator('.ev-extra').textContent()).toContain('order')
    await page.locator('.event-list li').nth(12).waitFor()
    expect(await page.locator('.event-list li').count()).toBe(13)
    expect(await page.locator('.chart-30d svg .bar').count()).toBe(30)
    expect(await page.title()).toContain('ValueError: <img')
    await browser.screenshot(page, 'errors-detail-light')

    await page.getByRole('button', { name: 'Resolve', exact: true }).click()
    await page.getByRole('button', { name: 'Unresolve' }).waitFor()
    expect(await page.locator('.head-badges .badge.status').textContent()).toBe('Resolved')
    await page.getByRole('button', { name: 'Unresolve' }).click()
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor()
    // The page is drawn again once the action's reload arrives: click the link of that last drawing.
    await page.locator('.head-badges .badge.status', { hasText: 'Unresolved' }).waitFor()
    await page.waitForLoadState('networkidle')

    // A click that lands while the page is drawn again hits the element being replaced: click again (a person
    // would), at most three times, unless the page is already on its way to the list.
    let left = false
    for (let attempt = 1; ; attempt++) {
      await page.locator('a.back').click()
      left = await page
        .waitForURL(`${server.baseUrl}/`, { timeout: 5_000, waitUntil: 'commit' })
        .then(() => true)
        .catch(() => false)
      if (left || (await page.locator('a.back').count()) === 0) break
      expect(attempt, 'the back link never navigated').toBeLessThan(3)
    }
    // Under load the navigation may still be under way: the list showing at the list's address is what counts.
    await page.locator('table.list tbody tr').first().waitFor()
    expect(new URL(page.url()).pathname).toBe(`${new URL(server.baseUrl).pathname}/`)
    expect(visible(browser.errors)).toEqual([])
    await page.close()
  })

  it('renders in dark mode, with the session filter and the browser occurrence strip', async () => {
    const page = await browser.newPage({ colorScheme: 'dark' })
    await page.addInitScript((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?session_id=session-001`)
    await page.locator('table.list tbody tr').first().waitFor()
    expect(await page.locator('.notice').textContent()).toContain('session-001')
    expect(await page.locator('table.list tbody tr').count()).toBe(1)
    await browser.screenshot(page, 'errors-list-session-dark')
    await page.locator('table.list tbody tr a').click()
    await page.locator('.browser-strip').waitFor()
    expect(await page.locator('.browser-strip a').getAttribute('href')).toBe('./?session_id=session-001')
    await browser.screenshot(page, 'errors-detail-browser-dark')
    await page.goto(`${server.baseUrl}/errors/${hostileId}`)
    await page.locator('pre.traceback').waitFor()
    await browser.screenshot(page, 'errors-detail-hostile-dark')
    await page.setViewportSize({ width: 420, height: 800 })
    await page.goto(`${server.baseUrl}/`)
    await page.locator('table.list tbody tr').first().waitFor()
    await browser.screenshot(page, 'errors-list-narrow-dark')
    await page.goto(`${server.baseUrl}/errors/${checkoutId}`)
    await page.locator('.ev-exceptions').waitFor()
    await browser.screenshot(page, 'errors-detail-narrow-dark')
    await page.goto(`${server.baseUrl}/errors/999999`)
    await page.getByText('Error not found').waitFor()
    expect(visible(browser.errors)).toEqual([])
    await page.close()
  })

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows a Sentry-grade event: chain, frames with source, breadcrumbs, tags, contexts (${colorScheme})`, async () => {
      const page = await browser.newPage({ colorScheme, height: 900 })
      await page.addInitScript((key) => localStorage.setItem('monlight.api_key', key), KEY)
      await page.goto(`${server.baseUrl}/errors/${checkoutId}`)
      const panel = page.locator('.event-panel')
      await panel.locator('.ev-exceptions').waitFor()
      await page.locator('.event-list li').nth(2).waitFor()
      await noXss(page)
      expect(await panel.locator('.event-title h2').textContent()).toBe('Event #3')
      await page.screenshot({
        path: `/tmp/errors-detail${colorScheme === 'dark' ? '-dark' : ''}.png`,
        fullPage: true,
      })
      await browser.screenshot(page, `errors-detail-sentry-${colorScheme}`)

      // The chain: the raised exception first, its cause below, each with its mechanism.
      const exceptions = panel.locator('.exception')
      expect(await exceptions.count()).toBe(2)
      expect(await exceptions.nth(0).locator('.exc-type').textContent()).toBe('TypeError')
      expect(await exceptions.nth(0).locator('.badge.red').textContent()).toBe('unhandled')
      expect(await exceptions.nth(1).textContent()).toContain('Caused by')
      expect(await exceptions.nth(1).locator('.exc-type').textContent()).toBe('FetchError')

      // Frames most recent first: the library frame where it threw (folded), then computeTotal (open, with source).
      const raised = exceptions.nth(0)
      const first = raised.locator('ol.frames').first().locator(':scope > li').first()
      expect(await first.getAttribute('class')).toBe('lib-group')
      const active = raised.locator('.frame.in-app details[open] .code tr.active')
      expect(await active.locator('.src').textContent()).toBe(CONTEXT_LINE)
      expect(await active.locator('.ln').textContent()).toBe('17')
      expect(await active.isVisible()).toBe(true)
      expect(await raised.locator('.frame.in-app .vars').first().textContent()).toContain('currency')
      expect(await raised.locator('.frame.in-app').count()).toBe(2)

      // Library frames are collapsed and expand with a click.
      const libraryToggle = raised.getByRole('button', { name: 'Show 2 library frames' })
      const libraryFrame = raised.locator('.frame.lib', { hasText: 'node_modules/router/lib/route.js' })
      expect(await libraryFrame.isVisible()).toBe(false)
      await libraryToggle.click()
      expect(await libraryFrame.isVisible()).toBe(true)
      expect(
        await raised.getByRole('button', { name: 'Hide 2 library frames' }).getAttribute('aria-expanded'),
      ).toBe('true')
      await raised.getByRole('button', { name: 'Show 1 library frame' }).click()
      expect(await raised.locator('.unmapped').textContent()).toBe('not source-mapped: no source map')

      // Breadcrumbs, newest first; the cut ones are noted.
      const crumbs = panel.locator('.ev-breadcrumbs')
      expect(await crumbs.locator('tbody tr').first().textContent()).toContain('GET /api/prices')
      expect(await crumbs.textContent()).toContain(HOSTILE)
      expect(await crumbs.textContent()).toContain('status_code')
      await crumbs.getByRole('button', { name: /Show \d+ older breadcrumbs/ }).click()
      expect(await crumbs.locator('tbody tr:visible').count()).toBe(100)
      expect(await panel.locator('.notice.truncated').textContent()).toContain(
        'breadcrumbs: kept the newest 100 of 107',
      )

      // Tags, contexts, user, request, event details.
      expect(await panel.locator('.ev-tags').textContent()).toContain('checkout')
      expect(await panel.locator('.ev-tags a', { hasText: 'feature' }).getAttribute('href')).toBe(
        './?search=feature%3Acheckout',
      )
      expect(await panel.locator('.ctx[data-context=os]').textContent()).toContain('macOS')
      expect(await panel.locator('.ctx[data-context=trace]').textContent()).toContain(
        '0af7651916cd43dd8448eb211c80319c',
      )
      expect(await panel.locator('.ev-user').textContent()).toContain('ada@example.com')
      const request = await panel.locator('.ev-request').textContent()
      expect(request).toContain('https://shop.example.com/checkout')
      expect(request).toContain('step=2&coupon=SPRING')
      expect(await panel.locator('.ev-request table.headers').textContent()).toContain('user-agent')
      const details = await panel.locator('.ev-details').textContent()
      for (const text of [
        '1.2.0',
        'web-42',
        'edge-3',
        'sentry.javascript.browser 8.4.0',
        'production',
        'c0ffee',
      ])
        expect(details).toContain(text)

      // The group: counts, 30-day chart, tag facets.
      expect(await page.locator('.head-stats').textContent()).toContain('3')
      expect(await page.locator('.facet[data-key=browser]').textContent()).toContain('Chrome')
      expect(await page.locator('.facet[data-key=attempt] tr').count()).toBe(3)
      await noXss(page)
      await browser.screenshot(page, `errors-detail-sentry-expanded-${colorScheme}`)

      // Older / newer, the event list, and the back button.
      await panel.getByRole('link', { name: '‹ Older' }).click()
      await page.waitForURL(/\?event=2$/)
      await page.waitForFunction(() => document.querySelector('.event-title h2')?.textContent === 'Event #2')
      expect(await panel.locator('.ev-tags').textContent()).toContain('attempt2')
      expect(await page.locator('.event-list a[aria-current=true] .seq').textContent()).toBe('#2')
      await page.locator('.event-list a', { hasText: '#1' }).click()
      await page.waitForFunction(() => document.querySelector('.event-title h2')?.textContent === 'Event #1')
      expect(await panel.locator('.steps .button.disabled').textContent()).toBe('‹ Older')
      await page.goBack()
      await page.waitForFunction(() => document.querySelector('.event-title h2')?.textContent === 'Event #2')
      await panel.getByRole('link', { name: 'Newer ›' }).click()
      await page.waitForFunction(() => document.querySelector('.event-title h2')?.textContent === 'Event #3')
      expect(await panel.locator('.steps .button.disabled').textContent()).toBe('Newer ›')
      await page.goto(`${server.baseUrl}/errors/${checkoutId}?event=99`)
      await page.getByText('Event #99 is not kept').waitFor()
      expect(visible(browser.errors)).toEqual([])
      await page.close()
    })
  }

  it('filters by tag search and status tab, bulk resolves and ignores, resolves in a release', async () => {
    const page = await browser.newPage()
    await page.addInitScript((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/`)
    await rows(page, 5)
    expect(await page.locator('input[name=search]').getAttribute('placeholder')).toContain(
      'browser.name:Chrome',
    )
    const checkoutRow = page.locator(`tr[data-id="${checkoutId}"]`)
    expect(await checkoutRow.textContent()).toContain('release 1.2.0')
    expect(await checkoutRow.locator('.culprit').textContent()).toBe('/checkout')
    expect(await checkoutRow.locator('.badge.level').textContent()).toBe('error')
    expect(await page.locator(`tr[data-id="${firefoxId}"] .badge.level`).textContent()).toBe('warning')

    // Tag terms filter by facet; the rest is text.
    await page.locator('input[name=search]').fill('browser:Chrome')
    await onlyRow(page, checkoutId)
    await page.locator('input[name=search]').fill('browser:Firefox Invalid')
    await onlyRow(page, firefoxId)
    await page.locator('input[name=search]').fill('browser:Firefox TypeError')
    await page.locator('p.empty').waitFor()
    await page.locator('input[name=search]').fill('')
    await rows(page, 5)
    await page.screenshot({ path: '/tmp/errors-list.png', fullPage: true })

    // Bulk resolve two groups: they move to the Resolved tab.
    await page.locator(`tr[data-id="${firefoxId}"] input[type=checkbox]`).check()
    await page.locator(`tr[data-id="${keyErrorId}"] input[type=checkbox]`).check()
    expect(await page.locator('.selected-count').textContent()).toBe('2 selected')
    await browser.screenshot(page, 'errors-list-selected-light')
    await page.locator('.bulk-bar').getByRole('button', { name: 'Resolve', exact: true }).click()
    await rows(page, 3)
    expect(await page.locator('.bulk-status').textContent()).toBe('2 errors resolved.')
    await page.getByRole('button', { name: 'Resolved', exact: true }).click()
    await rows(page, 2)
    expect(page.url()).toContain('status=resolved')
    const resolvedIds = await page
      .locator('table.list tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.id)).sort((a, b) => a - b))
    expect(resolvedIds).toEqual([keyErrorId, firefoxId].sort((a, b) => a - b))
    expect(await page.locator('table.list tbody .badge.status').first().textContent()).toBe('Resolved')

    // Select all on the page, unresolve them back.
    await page.locator('input.select-all').check()
    await page.locator('.bulk-bar').getByRole('button', { name: 'Unresolve' }).click()
    await page.locator('p.empty').waitFor()
    await page.getByRole('button', { name: 'Unresolved', exact: true }).click()
    await rows(page, 5)

    // Bulk ignore for an hour: to the Ignored tab, with its "until".
    await page.locator(`tr[data-id="${keyErrorId}"] input[type=checkbox]`).check()
    await page.locator('.bulk-bar summary', { hasText: 'Ignore' }).click()
    await page.locator('.bulk-bar .menu-pop').getByRole('button', { name: 'For 1 hour' }).click()
    await rows(page, 4)
    await page.getByRole('button', { name: 'Ignored', exact: true }).click()
    await rows(page, 1)
    expect(await page.locator('table.list tbody tr').textContent()).toContain('ignored until')
    await browser.screenshot(page, 'errors-list-ignored-light')

    // Ignore from the detail page: "until 100 more events", then unignore.
    await page.goto(`${server.baseUrl}/errors/${firefoxId}`)
    await page.locator('.ev-exceptions').waitFor()
    await page.locator('.detail-head summary', { hasText: 'Ignore' }).click()
    await page.getByRole('button', { name: 'Until 100 more events' }).click()
    await page.getByRole('button', { name: 'Unignore' }).waitFor()
    expect(await page.locator('.status-note').textContent()).toContain('until 101 events')
    await page.getByRole('button', { name: 'Unignore' }).click()
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor()

    // Resolve in a release from the detail page.
    await page.locator('.detail-head summary', { hasText: 'In release' }).click()
    await page.locator('input[name=in_release]').fill('1.1.1')
    await page.getByRole('button', { name: 'Resolve in release' }).click()
    await page.getByRole('button', { name: 'Unresolve' }).waitFor()
    expect(await page.locator('.head-badges .badge.status').textContent()).toBe('Resolved in 1.1.1')

    // Old links with resolved=true open the Resolved tab.
    await page.goto(`${server.baseUrl}/?resolved=true`)
    await rows(page, 1)
    expect(await page.locator('.tab[aria-pressed=true]').textContent()).toBe('Resolved')
    expect(visible(browser.errors)).toEqual([])
    await page.close()
  })

  it('renders the list in dark mode', async () => {
    const page = await browser.newPage({ colorScheme: 'dark' })
    await page.addInitScript((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?sort=count`)
    await page.locator('table.list tbody tr').first().waitFor()
    await page.screenshot({ path: '/tmp/errors-list-dark.png', fullPage: true })
    await browser.screenshot(page, 'errors-list-dark')
    expect(visible(browser.errors)).toEqual([])
    await page.close()
  })
})
