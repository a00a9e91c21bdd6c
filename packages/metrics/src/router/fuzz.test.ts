import { seededRandom } from '@monlight/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { API_KEY, createHarness } from '../__fixtures__/harness.js'

const harness = await createHarness('sqlite')
afterAll(() => harness.close())

const SCALARS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e-308,
  3.5,
  '',
  ' ',
  'x'.repeat(5000),
  '\u0000',
  '<script>',
  "'; drop table x;--",
  '2026-01-20T10:00:00Z',
  '9999-99-99',
  'NaN',
  [],
  {},
  [[]],
  { metrics: null },
  { __proto__: { a: 1 } },
]

function value(next: () => number, depth = 0): unknown {
  const r = next()
  if (depth > 2 || r < 0.5) return SCALARS[Math.floor(next() * SCALARS.length)]
  if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1))
  const keys = ['name', 'type', 'value', 'labels', 'timestamp', 'project', 'metrics', 'x']
  return Object.fromEntries(keys.filter(() => next() < 0.5).map((k) => [k, value(next, depth + 1)]))
}

function metric(next: () => number): unknown {
  const base: Record<string, unknown> = { name: 'fuzz', type: 'gauge', value: 1 }
  const field = ['name', 'type', 'value', 'labels', 'timestamp', 'project'][Math.floor(next() * 6)]!
  base[field] = value(next)
  return base
}

const send = (path: string, init: RequestInit = {}) =>
  harness.metrics.fetch(
    new Request(`http://fuzz${path}`, { ...init, headers: { 'x-api-key': API_KEY, ...init.headers } }),
  )

describe('metrics fuzz: hostile input gets a 4xx, never a 5xx', () => {
  it('POST /api/metrics with random bodies', async () => {
    const next = seededRandom(11)
    for (let i = 0; i < 400; i++) {
      const shape = next()
      const body =
        shape < 0.3
          ? JSON.stringify(value(next))
          : shape < 0.7
            ? JSON.stringify(Array.from({ length: 1 + Math.floor(next() * 3) }, () => metric(next)))
            : shape < 0.85
              ? JSON.stringify({ metrics: [metric(next)] })
              : JSON.stringify([metric(next)]).slice(0, Math.floor(next() * 40))
      const response = await send('/api/metrics', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      expect(response.status, body.slice(0, 200)).toBeLessThan(500)
      if (response.status >= 400) expect(((await response.json()) as { detail: string }).detail).toBeTruthy()
    }
  })

  it('GET endpoints with random query strings', async () => {
    const next = seededRandom(5)
    const paths = [
      '/api/metrics',
      '/api/metrics/names',
      '/api/metrics/labels',
      '/api/projects',
      '/api/dashboard',
      '/metrics/prometheus',
    ]
    const params = ['name', 'period', 'resolution', 'labels', 'group_by', 'project']
    const values = [
      '',
      'a',
      '1h',
      '0s',
      '99999999999d',
      '-1h',
      '1.5h',
      'minute',
      'hour',
      'day',
      ':',
      'a:b,c',
      ',,,',
      '%',
      '%E0%A4%A',
      'x'.repeat(3000),
      "'or 1=1--",
      'k:v:w',
      '\u0000',
    ]
    for (let i = 0; i < 400; i++) {
      const query = params
        .filter(() => next() < 0.5)
        .map((p) => `${p}=${encodeURIComponent(values[Math.floor(next() * values.length)]!)}`)
        .join('&')
      const path = `${paths[Math.floor(next() * paths.length)]}?${query}`
      const response = await send(path)
      expect(response.status, path.slice(0, 200)).toBeLessThan(500)
    }
  })

  it('oversized and odd requests', async () => {
    const big = JSON.stringify(
      Array.from({ length: 1000 }, () => ({
        name: 'n'.repeat(200),
        type: 'gauge',
        value: 1,
        labels: { k: 'v'.repeat(400) },
      })),
    )
    expect((await send('/api/metrics', { method: 'POST', body: big })).status).toBe(413)
    expect((await send('/api/metrics', { method: 'POST' })).status).toBe(400)
    expect((await send('/api/metrics', { method: 'PUT', body: '[]' })).status).toBeLessThan(500)
    expect((await send('/api/metrics/other')).status).toBe(404)
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']))
    const tooMany = await send('/api/metrics', {
      method: 'POST',
      body: JSON.stringify([{ name: 'a', type: 'gauge', value: 1, labels }]),
    })
    expect(tooMany.status).toBe(400)
  })
})
