import { createModuleApp, routeMeta } from '@monlight/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, DSN_KEY } from '../__fixtures__/harness.js'
import type { RelayModule } from '../index.js'
import { createEdge } from './edge.js'

// A receiver's route that only authenticates, on the real relay service and its seeded project key.
let relay: RelayModule
const appWith = (apiKeys: string[] | false, rateLimit: number | false = false) => {
  const edge = createEdge({ corsOrigins: [], apiKeys, service: relay.service, rateLimit })
  const app = createModuleApp({ name: 'edge-test', auth: false })
  app.post(
    '/v1/logs',
    async (event) => edge.admit(event).then((sender) => ({ project: sender.project ?? null })),
    routeMeta({ public: true }),
  )
  return (headers: Record<string, string>, query = '') =>
    app.fetch(new Request(`http://relay.test/v1/logs${query}`, { method: 'POST', headers }))
}
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`

beforeAll(async () => {
  relay = (await createTestRelay()).relay
})

describe('edge admit', () => {
  it('admits an API key or a project key in every form the clients send', async () => {
    const post = appWith([ADMIN_KEY])
    const cases: [Record<string, string>, string, string | null][] = [
      [{ authorization: `Bearer ${ADMIN_KEY}` }, '', null],
      [{ authorization: basic(`loki:${ADMIN_KEY}`) }, '', null],
      [{ 'x-api-key': ADMIN_KEY }, '', null],
      [{}, `?api_key=${ADMIN_KEY}`, null],
      [{ authorization: `Bearer ${DSN_KEY}` }, '', 'web'],
      [{ authorization: basic(`user:${DSN_KEY}`) }, '', 'web'],
      [{ 'x-sentry-auth': `Sentry sentry_key=${DSN_KEY}, sentry_version=7` }, '', 'web'],
      [{}, `?sentry_key=${DSN_KEY}`, 'web'],
    ]
    for (const [headers, query, project] of cases) {
      const res = await post(headers, query)
      expect([res.status, await res.json()], JSON.stringify(headers) + query).toEqual([200, { project }])
    }
  })

  it('refuses a missing or wrong key with a 401 that says how to send one, a disabled project key with a 403', async () => {
    const post = appWith([ADMIN_KEY])
    const missing = await post({})
    expect(missing.status).toBe(401)
    expect((await missing.json()).detail).toMatch(/Authorization: Bearer/)
    const wrong = await post({ authorization: 'Bearer nope' })
    expect([wrong.status, (await wrong.json()).detail]).toEqual([
      401,
      'Invalid key: it is neither an API key nor an active project (DSN) key',
    ])
    const [key] = (await relay.service.listKeys()).filter((k) => k.public_key === DSN_KEY)
    await relay.service.deactivateKey(key!.id)
    try {
      const disabled = await post({ authorization: `Bearer ${DSN_KEY}` })
      expect(disabled.status).toBe(403)
      expect((await disabled.json()).detail).toMatch(/disabled/)
    } finally {
      await relay.service.updateKey(key!.id, { active: true })
    }
  })

  it('admits anything when the host authenticates, still naming the project of a project key', async () => {
    const post = appWith(false)
    expect(await (await post({})).json()).toEqual({ project: null })
  })

  it("applies a project key's rate limit to browsers, with Retry-After", async () => {
    const post = appWith([ADMIN_KEY], 1)
    const browser = { authorization: `Bearer ${DSN_KEY}`, origin: 'http://localhost:3000' }
    expect((await post(browser)).status).toBe(200)
    const limited = await post(browser)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Server-side clients (no Origin) are not browser-limited.
    expect((await post({ authorization: `Bearer ${DSN_KEY}` })).status).toBe(200)
  })
})
