import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@monlight/core'
import { describeBrowser } from '@monlight/test-utils'
import { afterAll, expect, it } from 'vitest'
import { type MonlightServer, startServer } from './server.js'

const KEY = 'nav-test-key'

describeBrowser('links between the module UIs of the standalone server', (browser) => {
  const servers: MonlightServer[] = []
  afterAll(() => Promise.all(servers.map((server) => server.close())))
  const start = async (layout: { port: number } | { ports: Record<string, number> }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'monlight-nav-'))
    const server = await startServer(
      { dataDir, apiKeys: [KEY], host: '127.0.0.1', ...layout },
      { logger: silentLogger },
    )
    servers.push(server)
    return server
  }
  const open = async (url: string) => {
    const page = await browser.newPage()
    await page.goto(url)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    await page.goto(url)
    await page.locator('nav.module-nav a').first().waitFor()
    return page
  }

  it('on one port: each page links to the others by path, the current one marked', async () => {
    const server = await start({ port: 0 })
    const page = await open(`${server.urls.errors}`)
    const nav = page.locator('nav.module-nav a')
    expect(await nav.allTextContents()).toEqual(['Errors', 'Logs', 'Metrics', 'Relay'])
    expect(await page.locator('nav.module-nav a[aria-current=page]').textContent()).toBe('Errors')
    await browser.screenshot(page, 'module-nav-errors')
    await nav.filter({ hasText: 'Logs' }).click()
    await page.waitForURL(`${server.urls.logs}`)
    expect(await page.locator('nav.module-nav a[aria-current=page]').textContent()).toBe('Logs')
    expect(browser.errors.filter((line) => !line.includes('Failed to load resource'))).toEqual([])
    const titles: string[] = []
    for (const name of ['errors', 'logs', 'metrics', 'relay'] as const) {
      await page.goto(server.urls[name]!)
      titles.push(await page.title())
    }
    // One naming scheme: the module's own name (as the original had it), then the product.
    expect(titles).toEqual([
      'Error Tracker · Monlight',
      'Log Viewer · Monlight',
      'Metrics Collector · Monlight',
      'Browser Relay · Monlight',
    ])
  })

  it('on a port per module: the links keep the page host and go to each module port', async () => {
    const server = await start({ ports: { errors: 0, logs: 0, metrics: 0, relay: 0 } })
    const page = await open(server.urls.metrics!.replace('localhost', '127.0.0.1'))
    const hrefs = await page
      .locator('nav.module-nav a')
      .evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href))
    expect(hrefs).toEqual([
      `http://127.0.0.1:${server.ports.errors}/`,
      `http://127.0.0.1:${server.ports.logs}/`,
      `http://127.0.0.1:${server.ports.metrics}/`,
      `http://127.0.0.1:${server.ports.relay}/`,
    ])

    // Each port is its own origin, with its own localStorage: the nav hands the key over, so it is asked once.
    await page.locator('nav.module-nav a', { hasText: 'Logs' }).click()
    await page.waitForURL(`http://127.0.0.1:${server.ports.logs}/`)
    await page.waitForLoadState('networkidle')
    expect(await page.locator('dialog.key-dialog').count()).toBe(0)
    expect(page.url()).not.toContain('#')
    expect(await page.evaluate(() => localStorage.getItem('monlight.api_key'))).toBe(KEY)
  })

  it('asks for the key once across the modules on their ports, saying where the server keeps it', async () => {
    const server = await start({ ports: { errors: 0, logs: 0, metrics: 0, relay: 0 } })
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.ports.errors}/`)
    const dialog = page.locator('dialog.key-dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('data/api-key')
    await browser.screenshot(page, 'key-dialog')
    await dialog.locator('input').fill(KEY)
    await dialog.locator('button[type=submit]').click()
    await page.locator('nav.module-nav a').first().waitFor()
    for (const [name, ready] of [
      ['Metrics', '.stat'],
      ['Relay', 'main'],
      ['Logs', 'main'],
    ] as const) {
      await page.locator('nav.module-nav a', { hasText: name }).click()
      await page.waitForURL((url) => !url.hash && url.port === String(server.ports[name.toLowerCase()]))
      await page.locator(ready).first().waitFor()
      await page.waitForLoadState('networkidle')
      expect(await dialog.count(), name).toBe(0)
    }
  })
})
