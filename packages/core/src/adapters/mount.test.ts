import { describeAdapters } from '@monlight/test-utils'
import { expect, it } from 'vitest'
import { createModuleApp } from '../http/module-app.js'

// A module UI loads `./assets/app.js`: under `/mnt` (no slash) that resolves to `/assets/app.js`, a 404.
const createUiApp = () => {
  const app = createModuleApp({ name: 'ui', auth: false })
  app.get(
    '/',
    () =>
      new Response('<script src="./assets/app.js"></script>', { headers: { 'content-type': 'text/html' } }),
  )
  app.post('/', () => ({ posted: true }))
  return app
}

describeAdapters('the bare mount path', createUiApp, (t) => {
  it('redirects a page request to the trailing slash, keeping the query', async () => {
    const response = await t.fetch('?time=1h', { redirect: 'manual' })
    expect(response.status).toBe(308)
    expect(response.headers.get('location')).toBe('mnt/?time=1h')
    const page = await t.fetch('/', { redirect: 'manual' })
    expect(page.status).toBe(200)
  })

  it('lets other methods through to the app', async () => {
    const response = await t.fetch('', { method: 'POST', redirect: 'manual' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ posted: true })
  })
})
