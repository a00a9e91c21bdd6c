import { createDatabase } from '@monlight/core'
import { type AdapterServer, describeBrowser, enterApiKey, serveWithAdapter } from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createErrors } from '../index.js'
import { browserReport, pythonReport } from '../test-support.js'

const KEY = 'ui-test-key'
const HOSTILE = '<img src=x onerror="window.__xss=1"> <b>not bold</b> & friends'

describeBrowser('errors web UI (Chromium, mounted under /mnt)', (browser) => {
  let server: AdapterServer
  let hostileId = 0
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
    await errors.service.ingest(
      pythonReport({
        project: 'billing',
        exception_type: 'KeyError',
        message: "'customer_id'",
        traceback: 'Traceback:\n  File "/srv/billing.py", line 9, in charge\nKeyError',
      }),
    )
    server = await serveWithAdapter('node', errors.router)
  })
  afterAll(async () => {
    await server?.close()
    await (await database).destroy()
  })

  const visible = (errors: string[]) => errors.filter((line) => !line.includes('Failed to load resource'))

  it('asks for the key, lists errors with HTML shown as text, filters, and opens a detail page', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.baseUrl}/`)
    await enterApiKey(page, KEY)
    await page.locator('table.list tbody tr').first().waitFor()
    expect(await page.locator('table.list tbody tr').count()).toBe(3)

    const row = page.locator(`tr[data-id="${hostileId}"]`)
    expect(await row.locator('td').nth(1).textContent()).toContain('<img src=x onerror=')
    expect(await page.locator('table.list img, table.list b').count()).toBe(0)
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
    expect(await row.locator('.count').textContent()).toBe('13')
    await browser.screenshot(page, 'errors-list-light')

    await page.locator('select[name=project]').selectOption('web')
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1)
    expect(page.url()).toContain('project=web')
    await page.locator('select[name=project]').selectOption('')
    await page.locator('input[name=search]').fill('customer')
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1)
    expect(await page.locator('table.list tbody').textContent()).toContain('KeyError')
    await page.locator('input[name=search]').fill('')
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 3)

    await row.locator('a').click()
    await page.waitForURL(`${server.baseUrl}/errors/${hostileId}`)
    await page.locator('pre.traceback').waitFor()
    expect(await page.locator('.detail-head .message').textContent()).toBe(HOSTILE)
    expect(await page.locator('main img').count()).toBe(0)
    expect(await page.locator('pre.traceback').textContent()).toContain('File "/app/test.py", line 42')
    expect(await page.locator('article.occurrence').count()).toBe(5)
    expect(await page.locator('article.occurrence').first().textContent()).toContain('user: user-11')
    expect(await page.title()).toContain('ValueError: <img')
    await browser.screenshot(page, 'errors-detail-light')

    await page.getByRole('button', { name: 'Mark as resolved' }).click()
    await page.getByRole('button', { name: 'Reopen' }).waitFor()
    expect(await page.locator('.facts .badge.green').textContent()).toBe('Resolved')
    await page.getByRole('button', { name: 'Reopen' }).click()
    await page.getByRole('button', { name: 'Mark as resolved' }).waitFor()

    await page.locator('a.back').click()
    await page.waitForURL(`${server.baseUrl}/`)
    await page.locator('table.list tbody tr').first().waitFor()
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
    await browser.screenshot(page, 'errors-list-dark')
    await page.locator('table.list tbody tr a').click()
    await page.locator('.browser-strip').waitFor()
    expect(await page.locator('.browser-strip a').getAttribute('href')).toBe('./?session_id=session-001')
    await browser.screenshot(page, 'errors-detail-dark')
    await page.goto(`${server.baseUrl}/errors/${hostileId}`)
    await page.locator('pre.traceback').waitFor()
    await browser.screenshot(page, 'errors-detail-hostile-dark')
    await page.setViewportSize({ width: 420, height: 800 })
    await page.goto(`${server.baseUrl}/`)
    await page.locator('table.list tbody tr').first().waitFor()
    await browser.screenshot(page, 'errors-list-narrow-dark')
    await page.goto(`${server.baseUrl}/errors/999999`)
    await page.getByText('Error not found').waitFor()
    expect(visible(browser.errors)).toEqual([])
    await page.close()
  })
})
