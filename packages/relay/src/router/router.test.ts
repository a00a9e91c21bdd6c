import { describeAdapters } from '@monlight/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ADMIN_KEY,
  browserError,
  createTestRelay,
  DSN_KEY,
  lazyApp,
  type TestRelay,
} from '../__fixtures__/harness.js'

let harness: TestRelay
const ready = createTestRelay().then((created) => {
  harness = created
  return created.relay
})

const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }
const json = (body: unknown) => JSON.stringify(body)

describeAdapters(
  'relay router',
  () => lazyApp(ready),
  (target) => {
    beforeEach(async () => {
      await ready
      harness.errors.reports.length = 0
      harness.metrics.points.length = 0
    })

    it('answers /health openly', async () => {
      const response = await target.fetch('/health')
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ status: 'ok' })
    })

    it('creates DSN keys with compact JSON, lists and deactivates them', async () => {
      const created = await target.fetch('/api/dsn-keys', {
        method: 'POST',
        headers: admin,
        body: json({ project: 'e2e-test' }),
      })
      expect(created.status).toBe(201)
      const text = await created.text()
      const publicKey = /"public_key":"([^"]*)"/.exec(text)?.[1]
      expect(publicKey).toMatch(/^[0-9a-f]{32}$/)
      const key = JSON.parse(text)
      expect(key).toMatchObject({ project: 'e2e-test', active: true, allowed_origins: [] })

      const list = await (await target.fetch('/api/dsn-keys', { headers: admin })).json()
      expect(list.keys.map((entry: { public_key: string }) => entry.public_key)).toContain(publicKey)

      const removed = await target.fetch(`/api/dsn-keys/${key.id}`, { method: 'DELETE', headers: admin })
      expect(await removed.json()).toEqual({ status: 'deactivated' })
      const refused = await target.fetch('/api/browser/errors', {
        method: 'POST',
        headers: { 'x-monlight-key': publicKey! },
        body: json(browserError()),
      })
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ detail: 'Invalid DSN key' })
    })

    it('validates DSN key input with upstream messages', async () => {
      const post = async (body: string) => {
        const response = await target.fetch('/api/dsn-keys', { method: 'POST', headers: admin, body })
        return [response.status, (await response.json()).detail]
      }
      expect(await post('')).toEqual([400, 'Empty request body'])
      expect(await post('{')).toEqual([400, 'Invalid JSON'])
      expect(await post('[]')).toEqual([400, 'Request body must be a JSON object'])
      expect(await post('{"project":3}')).toEqual([400, 'Missing required field: project'])
      expect(await post(json({ project: 'x'.repeat(101) }))).toEqual([
        400,
        "Field 'project' must be 1-100 characters",
      ])
      expect(await post(json({ project: 'p', allowed_origins: ['not an origin'] }))).toEqual([
        400,
        expect.stringContaining("Field 'allowed_origins' must hold origins"),
      ])
      const bad = await target.fetch('/api/dsn-keys/abc', { method: 'DELETE', headers: admin })
      expect([bad.status, (await bad.json()).detail]).toEqual([400, 'Invalid ID'])
      const missing = await target.fetch('/api/dsn-keys/99999', { method: 'DELETE', headers: admin })
      expect([missing.status, (await missing.json()).detail]).toEqual([404, 'DSN key not found'])
      const put = await target.fetch('/api/dsn-keys', { method: 'PUT', headers: admin })
      expect(put.status).toBe(405)
    })

    it('requires the admin key on admin routes', async () => {
      const response = await target.fetch('/api/dsn-keys')
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ detail: 'Invalid API key' })
      const byQuery = await target.fetch(`/api/source-maps?api_key=${ADMIN_KEY}`)
      expect(byQuery.status).toBe(200)
    })

    it('forwards a browser error as the error tracker expects (§5.5)', async () => {
      const response = await target.fetch('/api/browser/errors', {
        method: 'POST',
        headers: {
          'x-monlight-key': DSN_KEY,
          'content-type': 'application/json',
          origin: 'http://localhost:3000',
        },
        body: json({ ...browserError(), environment: 'test' }),
      })
      expect(response.status).toBe(201)
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
      expect(await response.json()).toMatchObject({ status: 'created' })
      expect(harness.errors.reports).toEqual([
        {
          project: 'web',
          exception_type: 'TypeError',
          message: "Cannot read properties of undefined (reading 'id')",
          traceback: browserError().stack,
          request_method: 'BROWSER',
          request_url: 'https://example.com/dashboard',
          environment: 'test',
          extra: {
            user_agent: 'Mozilla/5.0',
            session_id: 'e2e-test-session-001',
            timestamp: '2026-11-25T10:00:00.000Z',
            context: { user_id: 'u1' },
          },
        },
      ])
    })

    it('accepts ?key= and text/plain bodies (sendBeacon)', async () => {
      const response = await target.fetch(`/api/browser/metrics?key=${encodeURIComponent(DSN_KEY)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: json({
          metrics: [{ name: 'web_vitals_lcp', type: 'histogram', value: 2500, labels: { page: '/a' } }],
        }),
      })
      expect(response.status).toBe(202)
      expect(await response.json()).toEqual({ status: 'accepted', count: 1 })
      expect(harness.metrics.points).toHaveLength(1)
    })

    it('maps browser metrics with relay labels winning over duplicates (§5.7)', async () => {
      const response = await target.fetch('/api/browser/metrics', {
        method: 'POST',
        headers: { 'x-monlight-key': DSN_KEY },
        body: json({
          metrics: [
            {
              name: 'web_vitals_lcp',
              type: 'histogram',
              value: 2500,
              labels: { project: 'evil', page: '/x', ok: true, bad: {} },
            },
            { name: 'clicks', type: 'counter', value: 1, timestamp: '2026-11-25T10:00:00Z' },
          ],
          session_id: 's1',
          url: 'https://example.com/dashboard?tab=1#top',
        }),
      })
      expect(response.status).toBe(202)
      expect(harness.metrics.points).toEqual([
        {
          name: 'web_vitals_lcp',
          type: 'histogram',
          value: 2500,
          project: 'web',
          labels: { project: 'web', source: 'browser', session_id: 's1', page: '/dashboard', ok: 'true' },
        },
        {
          name: 'clicks',
          type: 'counter',
          value: 1,
          project: 'web',
          timestamp: '2026-11-25T10:00:00Z',
          labels: { project: 'web', source: 'browser', session_id: 's1', page: '/dashboard' },
        },
      ])
    })

    it('validates browser bodies with upstream messages', async () => {
      const post = async (path: string, body: string) => {
        const response = await target.fetch(path, {
          method: 'POST',
          headers: { 'x-monlight-key': DSN_KEY },
          body,
        })
        return [response.status, (await response.json()).detail]
      }
      expect(await post('/api/browser/errors', '')).toEqual([400, 'Empty request body'])
      expect(await post('/api/browser/errors', 'nope')).toEqual([400, 'Invalid JSON'])
      expect(await post('/api/browser/errors', '{"type":"T","message":"m"}')).toEqual([
        400,
        'Missing required field: stack',
      ])
      expect(
        await post(
          '/api/browser/errors',
          JSON.stringify({ type: 'T', message: 'm', stack: 's', environment: 'x'.repeat(101) }),
        ),
      ).toEqual([400, "Field 'environment' must be at most 100 bytes"])
      expect(await post('/api/browser/metrics', '{}')).toEqual([400, 'Missing required field: metrics'])
      expect(await post('/api/browser/metrics', '{"metrics":{}}')).toEqual([
        400,
        "Field 'metrics' must be an array",
      ])
      expect(await post('/api/browser/metrics', '{"metrics":[]}')).toEqual([
        400,
        'Metrics array must not be empty',
      ])
      expect(await post('/api/browser/metrics', '{"metrics":[{"name":"a","type":"sum","value":1}]}')).toEqual(
        [400, "Field 'type' must be 'counter', 'histogram', or 'gauge'"],
      )
      const get = await target.fetch('/api/browser/errors', { headers: { 'x-monlight-key': DSN_KEY } })
      expect(get.status).toBe(405)
      const other = await target.fetch('/api/browser/other', {
        method: 'POST',
        headers: { 'x-monlight-key': DSN_KEY },
      })
      expect(other.status).toBe(404)
    })

    it('answers preflights per §5.4 with Vary: Origin', async () => {
      const response = await target.fetch('/api/browser/errors', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      })
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
      expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
      expect(response.headers.get('access-control-allow-headers')).toBe('X-Monlight-Key, Content-Type')
      expect(response.headers.get('access-control-max-age')).toBe('86400')
      expect(response.headers.get('vary')).toContain('Origin')
      for (const origin of [
        'https://example.com',
        'http://app.example.com',
        'https://evil.com/.example.com',
        'null',
      ]) {
        const refused = await target.fetch('/api/browser/errors', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        })
        expect(refused.status).toBe(403)
        expect(refused.headers.get('access-control-allow-origin')).toBeNull()
      }
    })

    it('keeps CORS headers on errors for allowed origins', async () => {
      const response = await target.fetch('/api/browser/errors', {
        method: 'POST',
        headers: { origin: 'http://localhost:3000', 'x-monlight-key': 'wrong' },
        body: '{}',
      })
      expect(response.status).toBe(401)
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    })

    it('applies per-key allowed origins on top of the global ones', async () => {
      const created = await (
        await target.fetch('/api/dsn-keys', {
          method: 'POST',
          headers: admin,
          body: json({ project: 'shop', allowed_origins: ['https://*.shop.test'] }),
        })
      ).json()
      const send = (origin: string) =>
        target.fetch('/api/browser/errors', {
          method: 'POST',
          headers: { origin, 'x-monlight-key': created.public_key },
          body: json(browserError()),
        })
      const own = await send('https://www.shop.test')
      expect(own.status).toBe(201)
      expect(own.headers.get('access-control-allow-origin')).toBe('https://www.shop.test')
      const global = await send('http://localhost:3000')
      expect(global.status).toBe(201)
      const foreign = await send('https://attacker.test')
      expect(foreign.status).toBe(403)
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
      const preflight = await target.fetch('/api/browser/errors', {
        method: 'OPTIONS',
        headers: { origin: 'https://www.shop.test', 'access-control-request-method': 'POST' },
      })
      expect(preflight.status).toBe(204)
      // Another key does not inherit shop's origins.
      const other = await target.fetch('/api/browser/errors', {
        method: 'POST',
        headers: { origin: 'https://www.shop.test', 'x-monlight-key': DSN_KEY },
        body: json(browserError()),
      })
      expect(other.status).toBe(201)
      expect(other.headers.get('access-control-allow-origin')).toBeNull()
      const patched = await target.fetch(`/api/dsn-keys/${created.id}`, {
        method: 'PATCH',
        headers: admin,
        body: json({ allowed_origins: [], rate_limit: 2 }),
      })
      expect(await patched.json()).toMatchObject({ allowed_origins: [], rate_limit: 2 })
    })

    it('refuses a PATCH that changes nothing or names unknown fields with 400, and an unknown id with 404', async () => {
      const patch = (id: number | string, body: unknown) =>
        target.fetch(`/api/dsn-keys/${id}`, { method: 'PATCH', headers: admin, body: json(body) })
      const cases: [unknown, string][] = [
        [{}, 'Nothing to change: send allowed_origins, rate_limit, active'],
        [{ foo: 1 }, "Unknown field 'foo': send allowed_origins, rate_limit, active"],
        [{ active: true, colour: 'red' }, "Unknown field 'colour': send allowed_origins, rate_limit, active"],
      ]
      for (const [body, detail] of cases) {
        const response = await patch(1, body)
        expect([response.status, (await response.json()).detail], JSON.stringify(body)).toEqual([400, detail])
      }
      const unknown = await patch(999_999, { active: true })
      expect([unknown.status, (await unknown.json()).detail]).toEqual([404, 'DSN key not found'])
    })

    it('rate limits per key, after the key lookup', async () => {
      const created = await (
        await target.fetch('/api/dsn-keys', {
          method: 'POST',
          headers: admin,
          body: json({ project: 'tiny', rate_limit: 2 }),
        })
      ).json()
      const send = (key: string) =>
        target.fetch('/api/browser/errors', {
          method: 'POST',
          headers: { 'x-monlight-key': key, origin: 'http://localhost:3000' },
          body: '{"type":"RateTest","message":"test","stack":"test"}',
        })
      expect((await send(created.public_key)).status).toBe(201)
      expect((await send(created.public_key)).status).toBe(201)
      const limited = await send(created.public_key)
      expect(limited.status).toBe(429)
      expect(await limited.json()).toMatchObject({
        detail: 'Rate limit exceeded',
        retry_after: expect.any(Number),
      })
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(limited.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
      // Unknown keys do not consume anyone's budget, and other keys keep theirs.
      for (let i = 0; i < 5; i++) expect((await send('unknown')).status).toBe(401)
      expect((await send(DSN_KEY)).status).toBe(201)
    })

    it('stores, lists and deletes source maps (JSON and multipart)', async () => {
      const map = json({ version: 3, sources: ['app.ts'], names: [], mappings: 'AAAA' })
      const uploaded = await target.fetch('/api/source-maps', {
        method: 'POST',
        headers: admin,
        body: json({ project: 'web', release: '1.0.0', file_url: '/static/app.min.js', map_content: map }),
      })
      expect(uploaded.status).toBe(201)
      expect(await uploaded.json()).toEqual({
        status: 'uploaded',
        project: 'web',
        release: '1.0.0',
        file_url: '/static/app.min.js',
      })
      const form = new FormData()
      form.set('project', 'web')
      form.set('release', '1.0.1')
      form.set('url_prefix', '/static/')
      form.append('file', new Blob([map]), 'js/vendor.js.map')
      form.append('file', new Blob([map]), 'main.js.map')
      const multipart = await target.fetch('/api/source-maps', {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY },
        body: form,
      })
      expect(multipart.status).toBe(201)
      expect((await multipart.json()).files).toEqual(['/static/js/vendor.js', '/static/main.js'])

      const list = await (await target.fetch('/api/source-maps?project=web', { headers: admin })).json()
      expect(list.total).toBeGreaterThanOrEqual(3)
      expect(list.source_maps[0]).toEqual({
        id: expect.any(Number),
        project: 'web',
        release: expect.any(String),
        file_url: expect.any(String),
        // Only maps from artifact bundles (sentry-cli, bundler plugins) carry a debug ID.
        debug_id: null,
        size: map.length,
        uploaded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      })
      const id = list.source_maps[0].id
      expect(
        await (await target.fetch(`/api/source-maps/${id}`, { method: 'DELETE', headers: admin })).json(),
      ).toEqual({
        status: 'deleted',
      })
      const again = await target.fetch(`/api/source-maps/${id}`, { method: 'DELETE', headers: admin })
      expect([again.status, (await again.json()).detail]).toEqual([404, 'Source map not found'])
      const invalidMap = await target.fetch('/api/source-maps', {
        method: 'POST',
        headers: admin,
        body: json({ project: 'web', release: '1', file_url: '/a.js', map_content: '{"version":3}' }),
      })
      expect([invalidMap.status, (await invalidMap.json()).detail]).toEqual([
        400,
        'Invalid source map format',
      ])
    })
  },
)

describe('source map size limit', () => {
  it('accepts maps up to maxBytes and refuses larger ones with 413', async () => {
    const { relay } = await createTestRelay({ sourceMaps: { maxBytes: 2048 } })
    const upload = (size: number) =>
      relay.fetch(
        new Request('http://x/api/source-maps', {
          method: 'POST',
          headers: admin,
          body: json({
            project: 'web',
            release: '1',
            file_url: '/a.js',
            map_content: json({ version: 3, sources: [], mappings: 'A'.repeat(size - 40) }),
          }),
        }),
      )
    expect((await upload(2000)).status).toBe(201)
    const big = await upload(3000)
    expect(big.status).toBe(413)
    expect((await big.json()).detail).toContain('Source map exceeds maximum size of 2048 bytes')
    const huge = await upload(10_000)
    expect(huge.status).toBe(413)
  })
})
