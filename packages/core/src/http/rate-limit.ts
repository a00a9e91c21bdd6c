/**
 * Sliding-window-log rate limiter (upstream's algorithm): a bucket allows a request when fewer than `limit`
 * accepted requests fall within the last `windowMs`; refused requests are not recorded. Each bucket is a ring of
 * timestamps that grows with the requests it holds (up to `limit`), and the least recently used buckets are
 * dropped beyond `maxBuckets`: memory follows the traffic, not the limit, so a high limit costs nothing until it
 * is used.
 */
export interface RateLimiterOptions {
  /** Requests allowed per window per bucket. */
  limit: number
  /** Window length. Default 60 000 ms. */
  windowMs?: number
  /** Most buckets kept; beyond it the least recently used are dropped. Default 10 000. */
  maxBuckets?: number
  now?: () => number
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

export interface RateLimiter {
  /** Whether `bucket` may take one more request now. Records nothing. */
  check(bucket: string): RateDecision
  /** Records one request for `bucket` (after a successful {@link check}). */
  record(bucket: string): void
  /** {@link check}, then {@link record} when allowed. */
  take(bucket: string): RateDecision
}

interface Bucket {
  /** A ring; `times.length` ≤ limit. */
  times: Float64Array
  /** Index of the oldest recorded timestamp. */
  head: number
  size: number
}

const ALLOWED: RateDecision = { allowed: true }
/** Timestamps a new bucket has room for before it grows. */
const INITIAL_RING = 8

/** Doubles the ring (at most to `limit`), its timestamps unwrapped from the oldest. */
function grow(bucket: Bucket, limit: number): void {
  const { times, head, size } = bucket
  const grown = new Float64Array(Math.min(limit, times.length * 2))
  for (let i = 0; i < size; i++) grown[i] = times[(head + i) % times.length]!
  bucket.times = grown
  bucket.head = 0
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit } = options
  const windowMs = options.windowMs ?? 60_000
  const maxBuckets = options.maxBuckets ?? 10_000
  const now = options.now ?? Date.now
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used bucket first.
  const buckets = new Map<string, Bucket>()

  const touch = (key: string): Bucket => {
    let bucket = buckets.get(key)
    if (bucket) {
      buckets.delete(key)
    } else {
      if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value!)
      bucket = { times: new Float64Array(Math.min(limit, INITIAL_RING)), head: 0, size: 0 }
    }
    buckets.set(key, bucket)
    return bucket
  }

  const limiter: RateLimiter = {
    check(key) {
      const bucket = touch(key)
      const time = now()
      const windowStart = time - windowMs
      while (bucket.size > 0 && bucket.times[bucket.head]! <= windowStart) {
        bucket.head = (bucket.head + 1) % bucket.times.length
        bucket.size--
      }
      if (bucket.size < limit) return ALLOWED
      const oldest = bucket.times[bucket.head]!
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - time) / 1000)) }
    },
    record(key) {
      const bucket = touch(key)
      if (bucket.size === limit) return
      if (bucket.size === bucket.times.length) grow(bucket, limit)
      bucket.times[(bucket.head + bucket.size) % bucket.times.length] = now()
      bucket.size++
    },
    take(key) {
      const decision = limiter.check(key)
      if (decision.allowed) limiter.record(key)
      return decision
    },
  }
  return limiter
}
