import { createDatabase } from '@monlight/core'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogs } from '../index.js'

const KEY = 'fuzz-key'
const database = await createDatabase({ sqlite: ':memory:' })
const logs = createLogs({ database, apiKeys: [KEY], tail: { maxDurationSeconds: 1 } })
await logs.migrate()
afterAll(() => database.destroy())

/** A small deterministic PRNG, so a failure can be replayed. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '"',
  '"""',
  '\\',
  "'; drop table monlight_logs_entry; --",
  'NEAR(a b)',
  'a* OR ^b',
  '{}',
  '%00',
  '\u0000',
  '\ud800',
  'OR',
  'NOT',
  '-',
  '--x',
  '>=',
  '>=LOUD',
  '>=error',
  'x'.repeat(3000),
  '😀 emoji',
  '1e309',
  '-1',
  '99999999999999999999',
  '2025-13-45T99:99:99Z',
  'message:foo',
  'col:val AND',
  '(((',
]

const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  Number.POSITIVE_INFINITY,
  'text',
  [],
  {},
  [1, 2],
  { message: 'x' },
  'x'.repeat(70_000),
  ...HOSTILE_STRINGS,
]

describe('fuzz: malformed input gets a 4xx, never a 5xx', () => {
  const next = random(42)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!

  it('query strings on every GET endpoint', async () => {
    const paths = [
      '/api/logs',
      '/api/containers',
      '/api/stats',
      '/api/logs/containers',
      '/api/logs/stats',
      '/api/logs/tail',
    ]
    const keys = ['container', 'level', 'search', 'q', 'since', 'until', 'limit', 'offset', 'api_key', 'x']
    for (let i = 0; i < 400; i++) {
      const params = new URLSearchParams()
      for (let n = Math.floor(next() * 4); n >= 0; n--) params.append(pick(keys), pick(HOSTILE_STRINGS))
      const response = await logs.fetch(
        new Request(`http://x${pick(paths)}?${params}`, {
          headers: next() < 0.9 ? { 'x-api-key': KEY } : {},
        }),
      )
      expect(response.status, `${response.status} for ?${params}`).toBeLessThan(500)
      await response.body?.cancel()
    }
  })

  it('bodies on POST /api/logs', async () => {
    const entry = () => {
      const fields: Record<string, unknown> = {}
      for (const key of [
        'message',
        'container',
        'source',
        'timestamp',
        'level',
        'stream',
        'attributes',
        'extra',
      ]) {
        if (next() < 0.6) fields[key] = pick(VALUES)
      }
      return fields
    }
    const bodies = [
      () => JSON.stringify(Array.from({ length: Math.floor(next() * 4) }, entry)),
      () => JSON.stringify({ logs: Array.from({ length: Math.floor(next() * 4) }, entry) }),
      () => JSON.stringify(pick(VALUES)),
      () => pick(HOSTILE_STRINGS),
      () => '{"logs":[{"message":"a"}],"logs":[]}',
      () => JSON.stringify(Array.from({ length: 1001 }, () => ({ message: 'x' }))),
      () => '['.repeat(5000),
    ]
    for (let i = 0; i < 300; i++) {
      const body = pick(bodies)()
      const response = await logs.fetch(
        new Request('http://x/api/logs', {
          method: 'POST',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
          body,
        }),
      )
      expect(response.status, `${response.status} for ${body.slice(0, 200)}`).toBeLessThan(500)
      if (response.status === 400) expect(((await response.json()) as { detail: string }).detail).toBeTruthy()
    }
    const huge = await logs.fetch(
      new Request('http://x/api/logs', {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-length': String(64 * 1024 * 1024) },
        body: '[]',
      }),
    )
    expect(huge.status).toBe(413)
  })
})
