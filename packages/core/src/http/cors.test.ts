import { H3 } from 'h3'
import { describe, expect, it } from 'vitest'
import { createCors, matchOrigin } from './cors.js'

describe('matchOrigin', () => {
  it('takes exact origins and one-* patterns whose star is a non-empty host part', () => {
    expect(matchOrigin('https://a.example', 'https://a.example')).toBe(true)
    expect(matchOrigin('https://*.example.com', 'https://app.example.com')).toBe(true)
    expect(matchOrigin('https://*.example.com', 'https://a.b.example.com')).toBe(true)
    for (const origin of [
      'https://example.com',
      'http://foo.example.com',
      'https://evil.com/.example.com',
      'https://u@x.example.com',
    ]) {
      expect(matchOrigin('https://*.example.com', origin), origin).toBe(false)
    }
  })
})

describe('createCors', () => {
  const cors = createCors({
    origins: ['https://shop.example'],
    allowHeaders: ['X-Monlight-Key', 'Content-Type'],
  })
  const app = new H3()
  app.all('/api/x', (event) => cors.handle(event) ?? { ok: true })

  it('answers an allowed preflight with 204 and the four headers', async () => {
    const res = await app.fetch(
      new Request('http://x/api/x', {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      }),
    )
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(res.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
    expect(res.headers.get('access-control-allow-headers')).toBe('X-Monlight-Key, Content-Type')
    expect(res.headers.get('access-control-max-age')).toBe('86400')
  })

  it('lets scripts of an allowed origin read Retry-After, and varies on Origin', async () => {
    const res = await app.fetch(
      new Request('http://x/api/x', { method: 'POST', headers: { origin: 'https://shop.example' } }),
    )
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After')
    expect(res.headers.get('vary')).toContain('Origin')
  })

  it('adds nothing for another origin', async () => {
    const res = await app.fetch(
      new Request('http://x/api/x', { method: 'POST', headers: { origin: 'https://evil.example' } }),
    )
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('access-control-expose-headers')).toBeNull()
  })
})
