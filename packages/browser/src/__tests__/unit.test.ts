import { describe, expect, test } from 'vitest'
import { resolveConfig } from '../config.js'
import { backoffMs, firstFrame, formatArgs, retryAfterMs, sanitizeUrl } from '../util.js'

const PAGE = 'https://shop.example.com/cart?step=2'

describe('resolveConfig', () => {
  test('upstream form: the key verbatim, the endpoint without trailing slashes', () => {
    expect(resolveConfig({ dsn: 'abc123', endpoint: 'https://relay.example.com//' }, PAGE)).toMatchObject({
      key: 'abc123',
      endpoint: 'https://relay.example.com',
    })
  })

  test('DSN URL form derives the endpoint; an explicit endpoint wins', () => {
    expect(resolveConfig({ dsn: 'https://k3y@monitor.example.com/relay/' }, PAGE)).toMatchObject({
      key: 'k3y',
      endpoint: 'https://monitor.example.com/relay',
    })
    expect(
      resolveConfig(
        { dsn: 'https://k3y@monitor.example.com/relay', endpoint: 'https://other.example.com' },
        PAGE,
      ),
    ).toMatchObject({ key: 'k3y', endpoint: 'https://other.example.com' })
  })

  test('a relative endpoint is resolved against the page', () => {
    expect(resolveConfig({ dsn: 'k', endpoint: '/relay' }, PAGE).endpoint).toBe(
      'https://shop.example.com/relay',
    )
  })

  test("missing dsn or endpoint throws upstream's messages", () => {
    expect(() => resolveConfig({ dsn: '' }, PAGE)).toThrow("[Monlight] 'dsn' is required")
    expect(() => resolveConfig({ dsn: 'k' }, PAGE)).toThrow("[Monlight] 'endpoint' is required")
  })
})

describe('sanitizeUrl', () => {
  test.each([
    [
      'https://api.example.com/users/42/orders/7?token=secret#x',
      'https://api.example.com/users/{id}/orders/{id}',
    ],
    ['https://a.example/items/550e8400-e29b-41d4-a716-446655440000', 'https://a.example/items/{id}'],
    ['https://a.example/files/5f2b9c0e8d1a4b3c9e7f', 'https://a.example/files/{id}'],
    ['https://a.example/api/v2/search', 'https://a.example/api/v2/search'],
    ['https://a.example/blog/deadbeefcafe', 'https://a.example/blog/deadbeefcafe'],
    ['/api/items/12', 'https://shop.example.com/api/items/{id}'],
  ])('%s → %s', (url, expected) => {
    expect(sanitizeUrl(url, PAGE)).toBe(expected)
  })

  test('an invalid URL is returned unchanged', () => {
    expect(sanitizeUrl('http://[bad')).toBe('http://[bad')
  })
})

describe('firstFrame (dedup key)', () => {
  test('V8: skips the message line, even when the message contains a colon', () => {
    const stack =
      'Error: order 7: failed\n    at placeOrder (https://x.example/app.js:1:200)\n    at main (app.js:2:1)'
    expect(firstFrame(stack)).toBe('    at placeOrder (https://x.example/app.js:1:200)')
  })
  test('Firefox / Safari frames', () => {
    expect(firstFrame('placeOrder@https://x.example/app.js:1:200\nmain@app.js:2:1')).toBe(
      'placeOrder@https://x.example/app.js:1:200',
    )
  })
  test('no frame at all', () => {
    expect(firstFrame('')).toBeUndefined()
  })
  test('a long message line full of `@` and `(` is read in linear time', () => {
    const message = `Error: ${'(user@example.com) '.repeat(30_000)}\nat ${'(x@y '.repeat(30_000)}`
    const start = performance.now()
    expect(firstFrame(`${message}\n    at go (https://x.example/app.js:1:2)`)).toBe(
      '    at go (https://x.example/app.js:1:2)',
    )
    // Backtracking over every `@` or `(` would take minutes here.
    expect(performance.now() - start).toBeLessThan(1000)
  })
})

describe('retry timing', () => {
  test('Retry-After seconds, or 60 s when missing or unreadable', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('0')).toBe(0)
    expect(retryAfterMs(null)).toBe(60_000)
    expect(retryAfterMs('soon')).toBe(60_000)
  })
  test('backoff doubles from 1 s, capped at 60 s, within ±20 %', () => {
    for (const [failures, base] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [12, 60_000],
    ] as const) {
      const delay = backoffMs(failures)
      expect(delay).toBeGreaterThanOrEqual(base * 0.8)
      expect(delay).toBeLessThanOrEqual(base * 1.2)
    }
  })
})

test('formatArgs: objects as JSON, errors and cycles as text', () => {
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  expect(formatArgs(['saved', { id: 1 }, new Error('disk full'), cycle, null, 3])).toBe(
    'saved {"id":1} Error: disk full [object Object] null 3',
  )
})
