import { describe, expect, it } from 'vitest'
import { EVENT_LIMITS, normalizeErrorEvent } from './error-event.js'
import type { ErrorEvent } from './ingest.js'

/** Nested `depth` levels deep (built without recursion, so the input itself is no stack hazard). */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < depth; i++) value = { child: value, list: [value] }
  return value
}

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WRONG: unknown[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  'x',
  '\u0000',
  '\ud800',
  [],
  [null, 1, 'a', {}],
  {},
  { nested: { deep: [null] } },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  10n,
  Symbol('s'),
  () => 1,
  new Date(0),
  new Map([['a', 1]]),
]

const FIELDS = [
  'event_id',
  'level',
  'platform',
  'timestamp',
  'release',
  'dist',
  'server_name',
  'transaction',
  'logger',
  'exceptions',
  'message',
  'breadcrumbs',
  'tags',
  'contexts',
  'user',
  'request',
  'sdk',
  'fingerprint',
]

/** A full event with every field, as an SDK would send it. */
function fullEvent(): ErrorEvent {
  return {
    event_id: '9f3a1c2b00004000800000000000abcd',
    level: 'error',
    platform: 'node',
    timestamp: 1_790_000_000_000,
    release: 'shop@1.2.0',
    dist: '7',
    server_name: 'web-1',
    transaction: 'POST /checkout',
    logger: 'app',
    message: 'checkout failed',
    exceptions: [
      { type: 'ConnectionError', value: 'refused', frames: [] },
      {
        type: 'TypeError',
        value: "Cannot read properties of undefined (reading 'total')",
        module: 'checkout',
        mechanism: { type: 'onunhandledrejection', handled: false },
        frames: [
          { function: 'main', filename: 'src/main.ts', lineno: 1, colno: 2, in_app: true },
          {
            function: 'total',
            filename: 'src/cart.ts',
            abs_path: '/app/src/cart.ts',
            lineno: 42,
            colno: 7,
            in_app: true,
            context_line: '  return cart.total',
            pre_context: ['function total(cart) {'],
            post_context: ['}'],
            vars: { cart: null },
          },
        ],
      },
    ],
    breadcrumbs: [
      { timestamp: 1_789_999_999_000, type: 'http', category: 'fetch', level: 'info', data: { status: 500 } },
      { message: 'clicked pay' },
    ],
    tags: { browser: 'Chrome 120', feature: 'pay' },
    contexts: { browser: { name: 'Chrome', version: '120' }, os: { name: 'macOS' } },
    user: { id: 'u1', email: 'a@example.com', plan: 'pro' },
    request: {
      url: 'https://shop.example.com/checkout',
      method: 'POST',
      headers: { 'user-agent': 'Mozilla/5.0' },
      query_string: 'a=1',
      data: { items: [1, 2] },
    },
    sdk: { name: 'sentry.javascript.browser', version: '8.0.0' },
    fingerprint: ['{{ default }}', 'checkout'],
  }
}

/** Normalizes, checks the output is plain JSON, and that normalizing it again changes nothing and cuts nothing. */
function normalizeTwice(input: unknown) {
  const first = normalizeErrorEvent(input)
  const json = JSON.stringify(first.event)
  expect(typeof json).toBe('string')
  const stored = JSON.parse(json)
  const second = normalizeErrorEvent(stored)
  expect(second.event).toEqual(stored)
  expect(second.truncated).toEqual([])
  return first
}

describe('normalizeErrorEvent', () => {
  it('keeps a well-formed event as it is', () => {
    const { event, truncated } = normalizeTwice(fullEvent())
    expect(event).toEqual(fullEvent())
    expect(truncated).toEqual([])
  })

  it('cleans ids, levels and times', () => {
    expect(
      normalizeErrorEvent({ event_id: '9F3A1C2B-0000-4000-8000-00000000ABCD', level: 'WARN', timestamp: 1.6 })
        .event,
    ).toEqual({ event_id: '9f3a1c2b00004000800000000000abcd', level: 'warning', timestamp: 2 })
    expect(normalizeErrorEvent({ event_id: 'not-hex', level: 'loud', timestamp: -5 }).event).toEqual({
      level: 'error',
    })
  })

  it('applies every bound and notes each cut', () => {
    const frames = Array.from({ length: 500 }, (_, i) => ({ function: `f${i}`, lineno: i }))
    const { event, truncated } = normalizeTwice({
      message: 'm'.repeat(EVENT_LIMITS.long + 10),
      exceptions: Array.from({ length: 15 }, (_, i) => ({
        type: `E${i}`,
        value: '',
        frames: i === 14 ? frames : [],
      })),
      breadcrumbs: Array.from({ length: 300 }, (_, i) => ({ message: `crumb ${i}` })),
      tags: Object.fromEntries(
        Array.from({ length: 60 }, (_, i) => [`t${i}`, 'v'.repeat(i === 0 ? 300 : 1)]),
      ),
      contexts: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`c${i}`, { i }])),
      user: { id: 'u', deep: nested(10), wide: Array.from({ length: 80 }, (_, i) => i) },
      request: { method: 'ß'.repeat(16) },
    })
    expect(event.message).toHaveLength(EVENT_LIMITS.long)
    expect(event.message!.endsWith('m…')).toBe(true)
    expect(event.exceptions!.map((e) => e.type)).toEqual(Array.from({ length: 10 }, (_, i) => `E${i + 5}`))
    const kept = event.exceptions!.at(-1)!.frames
    expect(kept).toHaveLength(EVENT_LIMITS.framesPerException)
    // The middle of a long recursion goes: the outermost 50 and the 150 nearest the throw stay.
    expect(kept[49]!.function).toBe('f49')
    expect(kept[50]!.function).toBe('f350')
    expect(kept.at(-1)!.function).toBe('f499')
    expect(event.breadcrumbs).toHaveLength(100)
    expect(event.breadcrumbs![0]!.message).toBe('crumb 200')
    expect(Object.keys(event.tags!)).toHaveLength(50)
    expect(event.tags!.t0).toHaveLength(200)
    expect(Object.keys(event.contexts!)).toHaveLength(20)
    expect(event.user!.wide).toHaveLength(EVENT_LIMITS.entries)
    expect(JSON.stringify(event.user!.deep)).toContain('"{…}"')
    expect(event.request!.method).toHaveLength(16)
    expect(truncated).toEqual(
      expect.arrayContaining([
        `message: cut to ${EVENT_LIMITS.long} characters`,
        'exceptions: kept the newest 10 of 15',
        'exceptions[9].frames: kept 200 of 500',
        'breadcrumbs: kept the newest 100 of 300',
        'tags: kept the oldest 50 of 60',
        'tags.t0: cut to 200 characters',
        'contexts: kept the oldest 20 of 25',
        'user: kept the oldest 50 of 80',
        'user: nested deeper than 5 levels',
        'request.method: cut to 16 characters',
      ]),
    )
  })

  it('keeps five context lines each side, cut to 1024 characters', () => {
    const lines = Array.from({ length: 12 }, (_, i) => 'abcdefghijkl'[i]!.repeat(i === 11 ? 2000 : 1))
    const { event } = normalizeTwice({
      exceptions: [{ type: 'E', frames: [{ pre_context: lines, post_context: [...lines].reverse() }] }],
    })
    const frame = event.exceptions![0]!.frames[0]!
    expect(frame.pre_context!.map((line) => line.length)).toEqual([1, 1, 1, 1, 1024])
    expect(frame.post_context!.slice(0, 2).map((line) => line.length)).toEqual([1024, 1])
  })

  it('drops null user ids instead of keeping the text "null"', () => {
    expect(
      normalizeErrorEvent({ user: { id: null, email: 'a@example.com', username: 7 } }).event.user,
    ).toEqual({ email: 'a@example.com', username: '7' })
  })

  it('never throws on wrong types anywhere', () => {
    for (const top of WRONG) expect(normalizeErrorEvent(top).event).toBeTypeOf('object')
    for (const field of FIELDS) {
      for (const value of WRONG) {
        const input = { ...fullEvent(), [field]: value }
        const { event } = normalizeErrorEvent(input)
        expect(() => JSON.stringify(event), `${field}=${String(value)}`).not.toThrow()
      }
    }
    // One level down: every field of an exception, a frame, a breadcrumb and the request.
    const inner: [string, string[]][] = [
      ['exception', ['type', 'value', 'module', 'mechanism', 'frames']],
      ['frame', ['function', 'filename', 'lineno', 'colno', 'in_app', 'context_line', 'pre_context', 'vars']],
      ['breadcrumb', ['timestamp', 'type', 'category', 'message', 'level', 'data']],
      ['request', ['url', 'method', 'headers', 'query_string', 'data']],
    ]
    for (const [where, fields] of inner) {
      for (const field of fields) {
        for (const value of WRONG) {
          const patch = { [field]: value }
          const input =
            where === 'exception'
              ? { exceptions: [{ type: 'E', value: 'v', frames: [], ...patch }] }
              : where === 'frame'
                ? { exceptions: [{ type: 'E', value: 'v', frames: [{ function: 'f', ...patch }] }] }
                : where === 'breadcrumb'
                  ? { breadcrumbs: [{ message: 'm', ...patch }] }
                  : { request: { url: '/x', ...patch } }
          const { event } = normalizeErrorEvent(input)
          expect(() => JSON.stringify(event), `${where}.${field}`).not.toThrow()
        }
      }
    }
    const numbers = normalizeTwice({
      timestamp: Number.NaN,
      exceptions: [{ type: 'E', frames: [{ lineno: Number.POSITIVE_INFINITY, colno: -1 }, { lineno: 2.5 }] }],
      contexts: { runtime: { a: Number.NaN, b: Number.NEGATIVE_INFINITY, c: 1e308 } },
      breadcrumbs: [{ timestamp: Number.POSITIVE_INFINITY, message: 'm' }],
    }).event
    expect(numbers.timestamp).toBeUndefined()
    expect(numbers.exceptions![0]!.frames).toEqual([{}, {}])
    expect(numbers.contexts!.runtime).toEqual({ a: 'NaN', b: '-Infinity', c: 1e308 })
    expect(numbers.breadcrumbs).toEqual([{ message: 'm' }])
  })

  it('bounds nesting 10 000 levels deep and huge lists', () => {
    const deep = nested(10_000)
    const huge = Array.from({ length: 1_000_000 }, (_, i) => i)
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))
    const started = performance.now()
    const { event, truncated } = normalizeTwice({
      message: 'm',
      exceptions: [
        ...huge.slice(0, 100_000).map(() => ({ type: 'E', value: 'v' })),
        { type: 'Deep', value: 'v', frames: [...huge.map((lineno) => ({ lineno })), { vars: deep }] },
      ],
      breadcrumbs: huge.map(() => ({ data: deep })),
      tags: wide,
      contexts: { app: deep, wide },
      user: deep,
      request: { data: deep, headers: wide },
      fingerprint: huge,
    })
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(event.exceptions).toHaveLength(EVENT_LIMITS.exceptions)
    expect(event.exceptions!.at(-1)!.frames).toHaveLength(EVENT_LIMITS.framesPerException)
    expect(event.breadcrumbs).toHaveLength(EVENT_LIMITS.breadcrumbs)
    expect(Object.keys(event.tags!)).toHaveLength(EVENT_LIMITS.tags)
    expect(Object.keys(event.request!.headers!)).toHaveLength(0)
    expect(event.fingerprint).toHaveLength(20)
    expect(JSON.stringify(event).length).toBeLessThan(2_000_000)
    expect(truncated.length).toBeGreaterThan(0)
    expect(truncated.length).toBeLessThanOrEqual(50)
  })

  it('keeps __proto__ keys as data and never touches Object.prototype', () => {
    const hostile = JSON.parse(`{
      "__proto__": { "polluted": "top" },
      "tags": { "__proto__": "tag", "constructor": "c" },
      "contexts": { "__proto__": { "polluted": "ctx" }, "app": { "__proto__": { "polluted": "inner" } } },
      "user": { "__proto__": { "polluted": "user" }, "id": "u" },
      "request": { "headers": { "__proto__": "h" }, "data": { "__proto__": { "polluted": "data" } } },
      "breadcrumbs": [{ "data": { "__proto__": { "polluted": "crumb" } } }],
      "exceptions": [{ "type": "E", "value": "v", "frames": [{ "vars": { "__proto__": { "polluted": "vars" } } }] }]
    }`)
    const { event } = normalizeTwice(hostile)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype)
    const own = (value: unknown) => Object.getOwnPropertyDescriptor(value, '__proto__')?.value
    expect(own(event.tags)).toBe('tag')
    expect(event.tags!.constructor).toBe('c')
    expect(Object.getPrototypeOf(event.tags)).toBe(Object.prototype)
    expect(own(event.contexts)).toEqual({ polluted: 'ctx' })
    expect(own(event.contexts!.app)).toEqual({ polluted: 'inner' })
    expect(own(event.user)).toEqual({ polluted: 'user' })
    expect(event.user!.id).toBe('u')
    expect(own(event.request!.headers)).toBe('h')
    expect(own(event.request!.data)).toEqual({ polluted: 'data' })
    expect(own(event.breadcrumbs![0]!.data)).toEqual({ polluted: 'crumb' })
    expect(own(event.exceptions![0]!.frames[0]!.vars)).toEqual({ polluted: 'vars' })
    for (const value of [event.tags, event.contexts, event.user, event.request!.data])
      expect((value as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('replaces NUL in values and keys (PostgreSQL text cannot hold it)', () => {
    const { event } = normalizeTwice({
      message: 'a\u0000b',
      release: '\u0000',
      tags: { 'k\u0000ey': 'v\u0000' },
      contexts: { 'c\u0000': { 'x\u0000': 'y\u0000' } },
      request: { headers: { 'h\u0000': 'v\u0000' } },
      exceptions: [{ type: 'E\u0000', value: '', frames: [{ function: 'f\u0000' }] }],
    })
    expect(JSON.stringify(event)).not.toContain('\\u0000')
    expect(event.message).toBe('a\uFFFDb')
    expect(event.tags).toEqual({ 'k\uFFFDey': 'v\uFFFD' })
    expect(event.contexts).toEqual({ 'c\uFFFD': { 'x\uFFFD': 'y\uFFFD' } })
    expect(event.request!.headers).toEqual({ 'h\uFFFD': 'v\uFFFD' })
  })

  it('random events: never throws, output is JSON and normalizes to itself', () => {
    const next = random(20_261_125)
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!
    const strings = ['', 'a', '\u0000', '\ud800x', 'é'.repeat(600), 'x'.repeat(9000), '__proto__', 'WARN']
    const value = (depth: number): unknown => {
      const kind = Math.floor(next() * (depth > 6 ? 4 : 7))
      if (kind === 0) return pick(strings)
      if (kind === 1) return pick([0, -1, 1.5, 2 ** 31, 1e300, 1_790_000_000_000])
      if (kind === 2) return pick([null, true, false])
      if (kind === 3) return pick(WRONG.filter((w) => typeof w !== 'symbol' && typeof w !== 'function'))
      if (kind === 4)
        return Array.from({ length: Math.floor(next() * (depth < 2 && next() < 0.2 ? 300 : 4)) }, () =>
          value(depth + 1),
        )
      const object: Record<string, unknown> = {}
      const keys = [...FIELDS, 'type', 'value', 'frames', 'function', 'lineno', 'in_app', 'data', 'name']
      for (let i = Math.floor(next() * 8); i > 0; i--) {
        // As JSON.parse makes them: `__proto__` an own key, not the prototype.
        Object.defineProperty(object, pick([...keys, ...strings]), {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return object
    }
    for (let round = 0; round < 300; round++) {
      const input = JSON.parse(JSON.stringify(value(0) ?? null, (_, v) => (typeof v === 'bigint' ? 1 : v)))
      normalizeTwice(input)
      normalizeTwice({ ...fullEvent(), ...(typeof input === 'object' && input !== null ? input : {}) })
    }
  })
})
