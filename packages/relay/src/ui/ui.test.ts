import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AdapterServer, describeBrowser, enterApiKey, serveWithAdapter } from '@monlight/test-utils'
import { strToU8, zipSync } from 'fflate'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, type TestRelay } from '../__fixtures__/harness.js'

const HOSTILE = '<img src=x onerror="window.__xss=1">'
const DEBUG_ID = '5b7c1d3e-9f0a-4b2c-8d4e-6f7a8b9c0d1e'

describeBrowser('relay web UI (Chromium, mounted under /mnt)', (browser) => {
  let server: AdapterServer
  let harness: TestRelay

  beforeAll(async () => {
    harness = await createTestRelay()
    await harness.relay.service.createKey({ project: HOSTILE })
    await harness.relay.service.putSourceMap({
      project: 'web',
      release: '1.0.0',
      file_url: '/static/app.min.js',
      map_content: JSON.stringify({ version: 3, sources: ['src/app.ts'], names: [], mappings: 'AAAA' }),
    })
    server = await serveWithAdapter('node', harness.relay.router)
    // A map from sentry-cli's path: an artifact bundle without a release, found by debug ID.
    const bundle = zipSync({
      'manifest.json': strToU8(
        JSON.stringify({
          files: {
            'a.js.map': { type: 'source_map', url: '~/assets/a.js.map', headers: { 'debug-id': DEBUG_ID } },
          },
        }),
      ),
      'a.js.map': strToU8(JSON.stringify({ version: 3, sources: ['src/a.ts'], names: [], mappings: 'AAAA' })),
    })
    const checksum = createHash('sha1').update(bundle).digest('hex')
    const form = new FormData()
    form.append('file', new Blob([bundle]), checksum)
    const api = `${server.baseUrl}/api/0/organizations/any/`
    const auth = { authorization: `Bearer ${ADMIN_KEY}` }
    expect((await fetch(`${api}chunk-upload/`, { method: 'POST', headers: auth, body: form })).status).toBe(
      200,
    )
    const assembled = await fetch(`${api}artifactbundle/assemble/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ checksum, chunks: [checksum], projects: ['web'] }),
    })
    expect(await assembled.json()).toMatchObject({ state: 'ok' })
  })
  afterAll(async () => {
    await server?.close()
    await harness?.database.destroy()
  })

  const visible = (errors: string[]) => errors.filter((line) => !line.includes('Failed to load resource'))

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`manages DSN keys and source maps (${colorScheme})`, async () => {
      const page = await browser.newPage({ colorScheme })
      page.on('dialog', (dialog) => void dialog.accept())
      await page.goto(`${server.baseUrl}/`)
      await enterApiKey(page, ADMIN_KEY)

      // Keys: the seeded one and a hostile project name shown as text.
      await page.getByText('dsn-key-of-the-web-project-0001').waitFor()
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
      await page.getByText(HOSTILE).first().waitFor()

      // Create a key with allowed origins; the SDK snippet appears.
      const project = `shop-${colorScheme}`
      await page.fill('input[name=project]', project)
      await page.fill('input[name=allowed_origins]', 'https://shop.test, https://*.shop.test')
      await page.getByRole('button', { name: 'Create key' }).click()
      const snippet = page.getByTestId('snippet')
      await snippet.waitFor()
      const keys = (await harness.relay.service.listKeys()).filter((key) => key.project === project)
      // The Sentry DSN to paste, and the Sentry SDK snippet around it; Monlight's own SDK one step away.
      const dsn = `${server.baseUrl.replace('://', `://${keys[0]!.public_key}@`)}/${keys[0]!.project_id}`
      expect(await page.getByTestId('dsn').textContent()).toBe(dsn)
      expect(await snippet.textContent()).toContain(`dsn: '${dsn}'`)
      await page.getByLabel('SDK').selectOption({ label: '@monlight/browser' })
      expect(await snippet.textContent()).toContain(`endpoint: '${server.baseUrl}'`)
      expect(keys[0]!.allowed_origins).toEqual(['https://shop.test', 'https://*.shop.test'])

      // Edit its origins.
      const originsInput = page.getByLabel(`Allowed origins for ${project}`)
      await originsInput.fill('https://www.shop.test')
      await originsInput.press('Enter')
      await page.getByText(`Origins of ${project} saved`).waitFor()
      expect((await harness.relay.service.authenticate(keys[0]!.public_key))!.allowed_origins).toEqual([
        'https://www.shop.test',
      ])

      // Upload a map through the form.
      const dir = mkdtempSync(join(tmpdir(), 'relay-ui-'))
      const file = join(dir, 'main.js.map')
      writeFileSync(
        file,
        JSON.stringify({ version: 3, sources: ['src/main.ts'], names: [], mappings: 'AAAA' }),
      )
      const maps = page.locator('section[aria-labelledby=maps-title]')
      await maps.locator('input[name=project]').fill('web')
      await maps.locator('input[name=release]').fill(`2.0.0-${colorScheme}`)
      await maps.locator('input[name=url_prefix]').fill('/static')
      await maps.locator('input[name=file]').setInputFiles(file)
      await maps.getByRole('button', { name: 'Upload' }).click()
      await page.getByText('Uploaded /static/main.js').waitFor()
      await maps.getByText(`2.0.0-${colorScheme}`).waitFor()
      // The bundle's map: no release, its debug ID shown (shortened, whole in the title).
      const bundled = maps.locator('tr', { hasText: '/assets/a.js' })
      expect(await bundled.locator('td').nth(1).textContent()).toBe('—')
      expect(await bundled.locator(`td[title="${DEBUG_ID}"]`).textContent()).toBe(DEBUG_ID.slice(0, 8))
      await page.evaluate(() => window.scrollTo(0, 0))
      await browser.screenshot(page, `relay-ui-${colorScheme}`)

      // Delete it again, and deactivate the new key.
      const row = maps.locator('tr', { hasText: `2.0.0-${colorScheme}` })
      await row.getByRole('button', { name: 'Delete' }).click()
      await page.getByText('Deleted the map of /static/main.js').waitFor()
      const keyRow = page.locator('tr', { hasText: project })
      await keyRow.getByRole('button', { name: 'Deactivate' }).click()
      await page.getByText(`Key of ${project} deactivated`).waitFor()
      expect(await harness.relay.service.authenticate(keys[0]!.public_key)).toBeUndefined()
      expect(visible(browser.errors)).toEqual([])
      await page.close()
    })
  }
})
