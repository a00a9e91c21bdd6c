import type { LogView } from '../service/entries.js'
import type { TailFilter, TailHub } from './hub.js'

export interface SseOptions {
  heartbeatMs: number
  maxDurationMs: number
  /** Events waiting for a slow reader before it is cut off. */
  maxQueuedEvents: number
}

/** Open live-tail streams, so the module can close them on stop. */
export type TailStreams = Set<(reason: string) => void>

/**
 * A live-tail SSE response: `event: log` per entry, `event: heartbeat` on a timer, `event: close` with a reason
 * at the maximum duration, on shutdown, or when the reader falls too far behind (its queue is bounded; the
 * writer never waits for it). A client that goes away frees its slot at once.
 */
export function openTailStream(
  hub: TailHub,
  filter: TailFilter,
  options: SseOptions,
  open: TailStreams,
): Response {
  const encoder = new TextEncoder()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let done = false
  const timers: NodeJS.Timeout[] = []
  let unsubscribe = () => {}

  const cleanup = () => {
    if (done) return
    done = true
    for (const timer of timers) clearTimeout(timer)
    unsubscribe()
    open.delete(close)
  }
  const close = (reason: string) => {
    if (done) return
    controller.enqueue(encoder.encode(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`))
    controller.close()
    cleanup()
  }
  const send = (event: string, data: string) => {
    if (done) return
    // desiredSize goes negative as unread chunks pile up: past the bound, the reader is too slow to keep.
    if ((controller.desiredSize ?? 0) <= -options.maxQueuedEvents) return close('too_slow')
    controller.enqueue(encoder.encode(`event: ${event}\ndata: ${data}\n\n`))
  }

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        // A comment first, so proxies and frameworks send the headers now rather than at the first entry.
        c.enqueue(encoder.encode(': connected\n\n'))
      },
      cancel: cleanup,
    },
    { highWaterMark: 1 },
  )
  // Throws the 503 before any response exists when the subscriber limit is reached.
  unsubscribe = hub.add({ push: (entry: LogView) => send('log', JSON.stringify(entry)) }, filter)
  open.add(close)
  const heartbeat = setInterval(() => send('heartbeat', '{}'), options.heartbeatMs)
  heartbeat.unref()
  const expiry = setTimeout(() => close('max_duration'), options.maxDurationMs)
  expiry.unref()
  timers.push(heartbeat, expiry)

  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'access-control-allow-origin': '*',
      'x-accel-buffering': 'no',
    },
  })
}
