import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createModuleApp } from '../http/module-app.js'
import { findUiDir, mountUi } from './serve-ui.js'

function appWithUi(dir: string) {
  const app = createModuleApp({ name: 'ui-test', auth: { apiKeys: ['k'] } })
  mountUi(app, { dir, pages: ['/items/:id'] })
  return app
}

describe('mountUi', () => {
  const dir = mkdtempSync(join(tmpdir(), 'monlight-ui-'))
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><title>t</title></head><body></body></html>',
  )
  writeFileSync(join(dir, 'app.js'), 'console.log(1)')
  const app = appWithUi(dir)

  it('serves the page without a key, with a <base> that points at the module root', async () => {
    const root = await app.fetch(new Request('http://x/'))
    expect(root.status).toBe(200)
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await root.text()).toContain('<head><base href="./">')
    const detail = await app.fetch(new Request('http://x/items/12'))
    expect(await detail.text()).toContain('<base href="../">')
  })

  it('sends a Content-Security-Policy and refuses framing on pages, not on assets', async () => {
    const page = await app.fetch(new Request('http://x/'))
    const policy = page.headers.get('content-security-policy') ?? ''
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    const asset = await app.fetch(new Request('http://x/assets/app.js'))
    expect(asset.headers.get('content-security-policy')).toBeNull()
  })

  it('serves assets with a content type and answers 304 to a matching ETag', async () => {
    const asset = await app.fetch(new Request('http://x/assets/app.js'))
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const again = await app.fetch(
      new Request('http://x/assets/app.js', {
        headers: { 'if-none-match': asset.headers.get('etag') ?? '' },
      }),
    )
    expect(again.status).toBe(304)
  })

  it('refuses paths outside the UI directory and unknown files', async () => {
    expect((await app.fetch(new Request('http://x/assets/..%2F..%2Fetc%2Fpasswd'))).status).toBe(404)
    const missing = await app.fetch(new Request('http://x/assets/missing.js'))
    // The same JSON 404 as every other unknown path, with its `detail`.
    expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Not found', code: 'NOT_FOUND' }])
  })

  it('keeps the API behind the key', async () => {
    app.get('/api/things', () => ({ ok: true }))
    expect((await app.fetch(new Request('http://x/api/things'))).status).toBe(401)
  })

  it('says how to build a UI that is missing', async () => {
    const response = await appWithUi(join(dir, 'nope')).fetch(new Request('http://x/'))
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('npm run build')
  })

  it('finds dist/ui of the package that contains a module', () => {
    expect(findUiDir(import.meta.url)).toMatch(/packages\/core\/dist\/ui$/)
  })
})
