import type { ResolvedConfig } from './types.js'
import { backoffMs, retryAfterMs } from './util.js'

/** [path, body, attempts]: one POST to the relay. */
type Item = [path: string, body: string, attempts: number]

/** Bodies waiting to be sent; beyond this, new ones are dropped (the page is not made to pay for an outage). */
const MAX_QUEUE = 50
const MAX_ATTEMPTS = 4
/** Chrome refuses `keepalive` once the bodies in flight add up to 64 KiB; stay clear of it. */
const KEEPALIVE_BYTES = 60_000

export interface Transport {
  /** Queues a body for `{endpoint}/api/browser/<path>`, sent now (batching code waits with `schedule`). */
  send(path: string, body: string): void
  /** Sends after `delay` ms, or sooner if something else is due. */
  schedule(delay: number): void
  /** `drain` runs before every send round and on page hide: batching code moves its buffer into the queue. */
  drain(drain: () => void): void
  flush(): Promise<boolean>
  /** Page is going away: hand everything to `sendBeacon` (fetch keepalive when that refuses). */
  beacon(): void
}

/**
 * Posts to the relay as `text/plain` with the key in `?key=`: a CORS "simple" request, so there is no preflight
 * and `sendBeacon` uses exactly the same URL and body. Retries network errors and 5xx with backoff, waits out
 * 429 Retry-After, and never lets a failure reach the page.
 */
export function createTransport(config: ResolvedConfig): Transport {
  const warn = console.warn
  const queue: Item[] = []
  const drains: Array<() => void> = []
  const inflight = new Set<Promise<void>>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let pausedUntil = 0
  let failures = 0
  let keepaliveBytes = 0
  const url = (path: string) => `${config.endpoint}/api/browser/${path}?key=${encodeURIComponent(config.key)}`

  /** A send now replaces any pending timer (`pump` still waits out a pause); a batch delay never postpones one. */
  const schedule = (delay: number) => {
    if (!delay || !timer) {
      clearTimeout(timer)
      timer = setTimeout(pump, delay)
    }
  }

  const send = (path: string, body: string, attempts = 0) => {
    if (queue.length < MAX_QUEUE) queue.push([path, body, attempts])
    schedule(0)
  }

  /** `status` 0 is a network error, or a CORS refusal, which looks the same to the page. */
  const post = ([path, body, attempts]: Item) => {
    const size = body.length
    const keepalive = keepaliveBytes + size < KEEPALIVE_BYTES
    if (keepalive) keepaliveBytes += size
    const settle = (status: number, retryAfter?: string | null) => {
      if (keepalive) keepaliveBytes -= size
      inflight.delete(done)
      if (config.debug) warn('[Monlight]', status)
      const limited = status === 429
      if (status && status < 500 && !limited) failures = 0
      // A 429 is not an attempt: the relay asked to wait, it did not fail.
      else if (limited || ++attempts < MAX_ATTEMPTS) {
        pausedUntil = Date.now() + (limited ? retryAfterMs(retryAfter!) : backoffMs(++failures))
        send(path, body, attempts)
      }
    }
    // Inside a promise: even a fetch that throws synchronously (a broken polyfill) only fails this send.
    const done: Promise<void> = new Promise<Response>((resolve) =>
      resolve(fetch(url(path), { method: 'POST', body, keepalive })),
    ).then(
      (response) => settle(response.status, response.headers.get('retry-after')),
      () => settle(0),
    )
    inflight.add(done)
  }

  const take = () => {
    for (const drain of drains) drain()
    return queue.splice(0)
  }

  function pump() {
    const wait = pausedUntil - Date.now()
    timer = wait > 0 ? setTimeout(pump, wait) : undefined
    if (!timer) take().forEach(post)
  }

  return {
    send,
    schedule,
    drain: (drain) => drains.push(drain),
    async flush() {
      clearTimeout(timer)
      pump()
      while (inflight.size) await Promise.all(inflight)
      return !queue.length
    },
    beacon() {
      for (const item of take()) if (!navigator.sendBeacon?.(url(item[0]), item[1])) post(item)
    },
  }
}
