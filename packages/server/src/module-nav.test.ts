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
  })
})
