import { createDatabase } from '@monlight/core'
import { type AdapterServer, describeBrowser, serveWithAdapter } from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createLogs, type LogsModule } from '../index.js'

const KEY = 'ui-test-key'
const HOSTILE = '<img src=x onerror="window.__xss=1"> <b>not bold</b>'
const TRACEBACK =
  'ERROR: checkout failed\nTraceback (most recent call last):\n  File "/app/cart.py", line 42, in pay\n    charge(card)\nValueError: card declined'

describeBrowser('logs web UI (Chromium, mounted under /mnt)', (browser) => {
  let server: AdapterServer
  let logs: LogsModule
  const database = createDatabase({ sqlite: ':memory:' })

  beforeAll(async () => {
    logs = createLogs({ database: await database, apiKeys: [KEY] })
    await logs.migrate()
    const base = Date.now() - 3_600_000
    const entries = []
    for (let i = 0; i < 130; i++) {
      entries.push({
        container: ['api', 'web', 'worker'][i % 3],
        timestamp: base + i * 1000,
        message: [
          `GET /items/${i} 200 in ${i % 17}ms`,
          `[DEBUG] cache miss key=${i}`,
          `WARNING: slow query ${i}`,
        ][i % 3]!,
      })
    }
    entries.push({ container: 'api', timestamp: base + 200_000, message: TRACEBACK })
    entries.push({ container: 'web', timestamp: base + 201_000, message: HOSTILE, level: 'CRITICAL' })
    await logs.write(entries)
    server = await serveWithAdapter('node', logs.router)
  })
  afterAll(async () => {
    await server?.close()
    await (await database).destroy()
  })

  const visible = (errors: string[]) => errors.filter((line) => !line.includes('Failed to load resource'))

  it('asks for the key, lists entries newest first with level colours, escapes HTML, expands multiline', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.baseUrl}/`)
    const dialog = page.locator('dialog.key-dialog')
    await dialog.waitFor()
    await dialog.locator('input').fill(KEY)
    await dialog.locator('button[type=submit]').click()
    await page.locator('.log-row').first().waitFor()
    expect(await page.locator('.log-row').count()).toBe(100)
    expect(await page.locator('.log-row').first().textContent()).toContain('<img src=x')
    expect(await page.locator('.log-list img, .log-list b').count()).toBe(0)
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
    expect(await page.locator('.pager').textContent()).toContain('Showing 1–100 of 132')
    await page.locator('.app-header .meta', { hasText: '132 logs indexed' }).waitFor()
    expect(await page.locator('select[name=container] option').allTextContents()).toEqual([
      'All containers',
      'api (45)',
      'web (44)',
      'worker (43)',
    ])

    const traceback = page.locator('.log-row', { hasText: 'checkout failed' })
    expect(await traceback.locator('.more').textContent()).toBe('+4 lines')
    await traceback.locator('.log-summary').click()
    expect(await traceback.locator('pre').textContent()).toBe(TRACEBACK)
    await browser.screenshot(page, 'logs-list-light')

    await page.locator('button', { hasText: 'Next' }).click()
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 32)
    expect(page.url()).toContain('offset=100')
    expect(visible(browser.errors)).toEqual([])
  })

  it('filters by search syntax, container and level, and shows a search mistake', async () => {
    const page = await browser.newPage({ colorScheme: 'dark' })
    await page.goto(`${server.baseUrl}/`)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?level=%3E%3DERROR`)
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 2)
    await page.locator('input[name=search]').fill('"card declined"')
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1)
    await page.locator('input[name=search]').fill('"card')
    await page.locator('.error-banner').waitFor()
    expect(await page.locator('.error-banner').textContent()).toContain('closing quote')
    await page.locator('input[name=search]').fill('slow OR declined')
    await page.locator('select[name=level]').selectOption('')
    await page.locator('select[name=container]').selectOption('api')
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1)
    expect(page.url()).toContain('container=api')
    await page.locator('select[name=container]').selectOption('')
    await page.locator('input[name=search]').fill('')
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 100)
    await page.locator('.log-row', { hasText: 'checkout failed' }).locator('.log-summary').click()
    await browser.screenshot(page, 'logs-list-dark')
  })

  it('streams new entries with live tail into the view', async () => {
    const page = await browser.newPage({ colorScheme: 'dark', width: 900 })
    await page.goto(`${server.baseUrl}/`)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?container=worker`)
    await page.locator('.log-row').first().waitFor()
    const before = await page.locator('.log-row .message').allTextContents()
    await page.locator('button.tail-toggle').click()
    await page.locator('.tail-status', { hasText: 'Live tail active' }).waitFor()
    await page.waitForTimeout(200)
    const newest = Date.parse((await page.locator('.log-row time').first().getAttribute('datetime'))!)
    await logs.write([
      { container: 'worker', message: 'ERROR: job 9 crashed' },
      { container: 'api', message: 'not for this filter' },
      { container: 'worker', message: 'job 10 done' },
      // Arrives last, but happened just before the newest entry on the page: it goes below that one.
      { container: 'worker', message: 'late line', timestamp: newest - 1 },
    ])
    await page.locator('.tail-status', { hasText: '3 new entries' }).waitFor()
    // The page stays as context, and the new entries join it by time.
    expect(await page.locator('.log-row .message').allTextContents()).toEqual([
      'job 10 done',
      'ERROR: job 9 crashed',
      before[0],
      'late line',
      ...before.slice(1),
    ])
    await browser.screenshot(page, 'logs-live-tail-dark')
    await page.locator('button.tail-toggle').click()
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length > 2)
    expect(visible(browser.errors)).toEqual([])
  })
  it("shows attributes as fields, and a field's Filter button narrows the search to its value", async () => {
    await logs.write([
      {
        container: 'shop',
        message: 'order placed',
        attributes: { order: { id: 42 }, 'http.method': 'POST', resource: { 'service.name': 'shop' } },
      },
      { container: 'shop', message: 'order placed', attributes: { order: { id: 7 }, 'http.method': 'POST' } },
    ])
    const page = await browser.newPage()
    await page.goto(`${server.baseUrl}/`)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?container=shop`)
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 2)
    const row = page.locator('.log-row').filter({ hasText: 'order.id=42' })
    expect(await row.locator('.inline-fields').textContent()).toBe(
      'order.id=42 http.method=POST resource.service.name=shop',
    )
    await row.locator('.log-summary').click()
    expect(await row.locator('table.fields th').allTextContents()).toEqual([
      'order.id',
      'http.method',
      'resource.service.name',
    ])
    await browser.screenshot(page, 'logs-fields')
    await row.locator('table.fields tr', { hasText: 'order.id' }).locator('button').click()
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1)
    expect(await page.locator('input[name=search]').inputValue()).toBe('attr.order.id:42')
    expect(decodeURIComponent(page.url())).toContain('search=attr.order.id:42')
    expect(visible(browser.errors)).toEqual([])
  })
  it('takes q= for the search as the API does, and says when a time range is not understood', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.baseUrl}/`)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(`${server.baseUrl}/?q=%22card%20declined%22`)
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1)
    expect(await page.locator('input[name=search]').inputValue()).toBe('"card declined"')
    // The matched words are marked: here in the traceback of the details (charge(card), card declined).
    expect(await page.locator('.log-row mark').allTextContents()).toEqual(['card', 'card', 'declined'])
    await logs.write([{ container: 'json', message: '{"event":"paid","amount":  12}  x   y' }])
    await logs.write([{ container: 'json', message: '{"event":"refund","amount":3}' }])
    await page.goto(`${server.baseUrl}/?container=json`)
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 2)
    // Spaces are kept; a JSON line is indented in its details.
    expect(await page.locator('.log-row .message').last().textContent()).toBe(
      '{"event":"paid","amount":  12}  x   y',
    )
    const refund = page.locator('.log-row', { hasText: 'refund' })
    await refund.locator('.log-summary').click()
    expect(await refund.locator('.log-details pre').first().textContent()).toBe(
      '{\n  "event": "refund",\n  "amount": 3\n}',
    )
    await page.goto(`${server.baseUrl}/?time=yesterday`)
    await page.locator('.error-banner').waitFor()
    expect(await page.locator('.error-banner').textContent()).toBe(
      "Time range 'yesterday' is not understood: use a number with s, m, h or d, such as 30m, 24h or 7d",
    )
    await page.locator('input[name=time]').fill('1h')
    await page.locator('input[name=time]').dispatchEvent('change')
    await page.locator('.log-row').first().waitFor()
    expect(await page.locator('.error-banner').count()).toBe(0)
  })
})
