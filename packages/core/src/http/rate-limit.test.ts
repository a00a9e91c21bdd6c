import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.js'

describe('rate limiter', () => {
  it('computes retry_after from the oldest request in the window (upstream example)', () => {
    let now = 0
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: () => now })
    expect(limiter.take('a')).toEqual({ allowed: true })
    now = 5_000
    expect(limiter.take('a')).toEqual({ allowed: true })
    now = 10_000
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 50 })
  })

  it('slides: a request leaving the window frees a slot, refusals are not recorded', () => {
    let now = 0
    const limiter = createRateLimiter({ limit: 2, windowMs: 1_000, now: () => now })
    limiter.take('a')
    now = 500
    limiter.take('a')
    for (let i = 0; i < 5; i++) expect(limiter.take('a').allowed).toBe(false)
    now = 1_000
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
    now = 1_500
    expect(limiter.take('a').allowed).toBe(true)
  })

  it('keeps buckets apart and check() records nothing', () => {
    const limiter = createRateLimiter({ limit: 1 })
    expect(limiter.check('a').allowed).toBe(true)
    expect(limiter.check('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
    expect(limiter.take('b').allowed).toBe(true)
  })

  it('bounds memory by dropping the least recently used bucket', () => {
    const limiter = createRateLimiter({ limit: 1, maxBuckets: 2 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('a') // refused, but touches a: b is now the oldest
    limiter.take('c') // evicts b
    expect(limiter.take('a').allowed).toBe(false)
    expect(limiter.take('b').allowed).toBe(true)
  })

  it('grows a bucket with its traffic (a high limit reserves nothing) and keeps a wrapped ring in order', () => {
    let now = 0
    const limiter = createRateLimiter({ limit: 12, windowMs: 100, now: () => now })
    for (let i = 0; i < 5; i++) limiter.take('a') // t = 0
    now = 50
    for (let i = 0; i < 7; i++) expect(limiter.take('a').allowed).toBe(true) // wraps the first ring, grows it
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 })
    now = 100 // the five at t = 0 leave; the seven at t = 50 stay
    for (let i = 0; i < 5; i++) expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)
    now = 150 // the seven at t = 50 leave
    for (let i = 0; i < 7; i++) expect(limiter.take('a').allowed).toBe(true)
    expect(limiter.take('a').allowed).toBe(false)

    const before = process.memoryUsage().arrayBuffers
    const high = createRateLimiter({ limit: 100_000_000 })
    for (let i = 0; i < 100; i++) high.take(`client-${i}`)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024) // not 100 × 800 MB
  })
})
