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
})
