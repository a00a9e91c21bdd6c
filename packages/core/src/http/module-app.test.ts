import { ADAPTERS, describeAdapters, serveWithAdapter } from '@monlight/test-utils'
import { describe, expect, it } from 'vitest'
import { createTinyModule, TINY_KEYS } from '../__fixtures__/tiny-module.js'
import { createModuleApp } from './module-app.js'

const auth = { 'x-api-key': TINY_KEYS[0] }
const json = { ...auth, 'content-type': 'application/json' }

function chunkedBody(text: string): RequestInit {
  const bytes = new TextEncoder().encode(text)
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.slice(i, i + 100))
      controller.close()
    },
  })
  return { body: stream, duplex: 'half' } as RequestInit
}

describeAdapters('module app', createTinyModule, (t) => {
  it('serves an open /health', async () => {
    const res = await t.fetch('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('answers /favicon.ico with 204 without a key (browsers ask every origin for one)', async () => {
    const res = await t.fetch('/favicon.ico')
    expect(res.status).toBe(204)
  })

  it('answers /health for any method, without a key (upstream contract §1.9)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await t.fetch('/health', { method })
      expect([res.status, await res.json()], method).toEqual([200, { status: 'ok' }])
    }
    expect((await t.fetch('/health', { method: 'HEAD' })).status).toBe(200)
  })

  it('refuses a missing or wrong key with upstream 401 detail, and a hint that tells them apart', async () => {
    for (const [headers, hint] of [
      [{}, /^no key was sent: send it as X-API-Key, Authorization: Bearer <key>/],
      [{ 'x-api-key': 'nope' }, /^the key sent is not one of this server's API keys$/],
    ] as const) {
      const res = await t.fetch('/api/search?q=x', { headers })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({
        detail: 'Invalid API key',
        code: 'UNAUTHORIZED',
        hint: expect.stringMatching(hint),
      })
    }
  })

  it('accepts any configured key, and ?api_key= when no header is sent', async () => {
    expect((await t.fetch('/api/search?q=x', { headers: { 'x-api-key': TINY_KEYS[1] } })).status).toBe(200)
    expect((await t.fetch(`/api/search?q=x&api_key=${TINY_KEYS[0]}`)).status).toBe(200)
    // A present header wins even when wrong, as upstream.
    const res = await t.fetch(`/api/search?q=x&api_key=${TINY_KEYS[0]}`, { headers: { 'x-api-key': 'bad' } })
    expect(res.status).toBe(401)
  })

  it('accepts Authorization: Bearer, as third-party tools send a token', async () => {
    const bearer = (value: string) => ({ headers: { authorization: value } })
    expect((await t.fetch('/api/search?q=x', bearer(`Bearer ${TINY_KEYS[0]}`))).status).toBe(200)
    expect((await t.fetch('/api/search?q=x', bearer(`bearer  ${TINY_KEYS[1]}`))).status).toBe(200)
    for (const wrong of [
      'Bearer nope',
      `Basic ${Buffer.from(`u:nope`).toString('base64')}`,
      `Bearer ${TINY_KEYS[0]} extra`,
      'Bearer',
    ]) {
      expect((await t.fetch('/api/search?q=x', bearer(wrong))).status).toBe(401)
    }
    // X-API-Key wins over Authorization, as it wins over the query.
    const res = await t.fetch('/api/search?q=x', {
      headers: { authorization: `Bearer ${TINY_KEYS[0]}`, 'x-api-key': 'bad' },
    })
    expect(res.status).toBe(401)
  })

  it('leaves public routes open', async () => {
    const res = await t.fetch('/public/page')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hello')
  })

  it('answers unknown routes with a 404 JSON body, with or without a key (auth is for routes that exist)', async () => {
    for (const headers of [{}, { 'x-api-key': 'nope' }, auth]) {
      const res = await t.fetch('/api/nothing', { method: 'POST', headers })
      expect(res.status, JSON.stringify(headers)).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await res.json()).toEqual({ detail: 'Not found', code: 'NOT_FOUND' })
    }
  })

  it('accepts basic auth with the key as the password, or as the user without one (Loki and Prometheus clients)', async () => {
    const basic = (credentials: string) => ({
      headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
    })
    expect((await t.fetch('/api/search?q=x', basic(`monlight:${TINY_KEYS[0]}`))).status).toBe(200)
    expect((await t.fetch('/api/search?q=x', basic(`${TINY_KEYS[1]}:`))).status).toBe(200)
    expect((await t.fetch('/api/search?q=x', basic(TINY_KEYS[1]))).status).toBe(200)
    for (const wrong of ['monlight:nope', `${TINY_KEYS[0]}:nope`, ':', '']) {
      expect((await t.fetch('/api/search?q=x', basic(wrong))).status, wrong).toBe(401)
    }
    expect((await t.fetch('/api/search?q=x', { headers: { authorization: 'Basic %%%' } })).status).toBe(401)
  })

  it('maps typed errors, and hides the message of unexpected ones', async () => {
    const missing = await t.fetch('/api/items/7', { headers: auth })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Item 7 not found', code: 'NOT_FOUND' })
    const boom = await t.fetch('/api/boom', { headers: auth })
    expect(boom.status).toBe(500)
    expect(await boom.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' })
  })

  it('parses JSON bodies and rejects invalid JSON with upstream 400', async () => {
    const ok = await t.fetch('/api/echo', { method: 'POST', headers: json, body: '{"a":[1,"é"]}' })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toEqual({ received: { a: [1, 'é'] } })
    for (const body of ['{bad', '']) {
      const res = await t.fetch('/api/echo', { method: 'POST', headers: json, body })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ detail: 'Invalid JSON', code: 'INVALID_JSON' })
    }
  })

  it('limits bodies by Content-Length and while streaming', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(300) })
    const declared = await t.fetch('/api/echo', { method: 'POST', headers: json, body: big })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({
      detail: 'Request body exceeds maximum size',
      code: 'PAYLOAD_TOO_LARGE',
    })
    const streamed = await t.fetch('/api/echo', { method: 'POST', headers: json, ...chunkedBody(big) })
    expect(streamed.status).toBe(413)
    const small = await t.fetch('/api/echo', { method: 'POST', headers: json, ...chunkedBody('{"ok":true}') })
    expect(small.status).toBe(201)
  })

  it('lets a route raise its own body limit', async () => {
    const res = await t.fetch('/api/upload', { method: 'POST', headers: auth, body: 'y'.repeat(3000) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ bytes: 3000 })
  })

  it('URL-decodes query values and bounds them', async () => {
    const res = await t.fetch('/api/search?q=2025-01-20T10%3A00%3A00.000Z%20a%2Bb&limit=20', {
      headers: auth,
    })
    expect(await res.json()).toEqual({ q: '2025-01-20T10:00:00.000Z a+b', limit: 20 })
    const tooBig = await t.fetch('/api/search?q=x&limit=501', { headers: auth })
    expect(tooBig.status).toBe(400)
    expect(await tooBig.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('limit'),
    })
    const tooLong = await t.fetch(`/api/search?q=${'z'.repeat(3000)}`, { headers: auth })
    expect(tooLong.status).toBe(400)
    expect((await tooLong.json()).detail).toBe("Query parameter 'q' is too long (max 2048 characters)")
  })
})

const limitedKeys = ['limited-a', 'limited-b']
describeAdapters(
  'module app rate limits',
  () => {
    const app = createModuleApp({ name: 'limited', auth: { apiKeys: limitedKeys }, rateLimit: { perKey: 3 } })
    app.get('/api/ping', () => ({ pong: true }))
    return app
  },
  (t) => {
    it('limits per key with Retry-After and the upstream body; health is never limited', async () => {
      const headers = { 'x-api-key': limitedKeys[0]! }
      for (let i = 0; i < 3; i++) expect((await t.fetch('/api/ping', { headers })).status).toBe(200)
      const limited = await t.fetch('/api/ping', { headers })
      expect(limited.status).toBe(429)
      const retryAfter = Number(limited.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(59)
      expect(await limited.json()).toEqual({
        detail: 'Rate limit exceeded',
        code: 'RATE_LIMITED',
        retry_after: retryAfter,
      })
      expect((await t.fetch('/api/ping', { headers: { 'x-api-key': limitedKeys[1]! } })).status).toBe(200)
      expect((await t.fetch('/health', { headers })).status).toBe(200)
    })
  },
)

describeAdapters(
  'module app rate limits per address',
  () => {
    const app = createModuleApp({ name: 'limited', auth: false, rateLimit: { perAddress: 2 } })
    app.get('/api/ping', () => ({ pong: true }))
    return app
  },
  (t) => {
    it('limits each client address', async () => {
      expect((await t.fetch('/api/ping')).status).toBe(200)
      expect((await t.fetch('/api/ping')).status).toBe(200)
      expect((await t.fetch('/api/ping')).status).toBe(429)
    })
  },
)

describe('the same answers through every adapter', () => {
  const requests: [string, RequestInit?][] = [
    ['/health'],
    ['/api/search?q=a%20b'],
    ['/api/search?q=a%20b', { headers: auth }],
    ['/api/items/3', { headers: auth }],
    ['/api/boom', { headers: auth }],
    ['/api/echo', { method: 'POST', headers: json, body: '{"n":1}' }],
    ['/api/echo', { method: 'POST', headers: json, body: 'nope' }],
    ['/api/echo', { method: 'POST', headers: json, body: 'x'.repeat(1000) }],
    ['/nowhere', { headers: auth }],
  ]

  it('answers each request with the same status, type and body', async () => {
    const answers: Record<string, string[]> = {}
    for (const adapter of ADAPTERS) {
      const server = await serveWithAdapter(adapter, createTinyModule())
      try {
        answers[adapter] = []
        for (const [path, init] of requests) {
          const res = await server.fetch(path, init)
          answers[adapter].push(`${res.status} ${res.headers.get('content-type')} ${await res.text()}`)
        }
      } finally {
        await server.close()
      }
    }
    for (const adapter of ADAPTERS) expect(answers[adapter], adapter).toEqual(answers.fetch)
    expect(answers.fetch).toHaveLength(requests.length)
  })

  it('does not answer outside its prefix', async () => {
    for (const adapter of ['node', 'fetch'] as const) {
      const server = await serveWithAdapter(adapter, createModuleApp({ name: 't', auth: false }))
      try {
        const outside = server.baseUrl.replace(/\/mnt$/, '/mntx/health')
        const res = adapter === 'fetch' ? await server.fetch('/../../mntx/health') : await fetch(outside)
        expect(res.status).toBe(404)
      } finally {
        await server.close()
      }
    }
  })
})
