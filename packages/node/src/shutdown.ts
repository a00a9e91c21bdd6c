const SIGNALS = ['SIGTERM', 'SIGINT'] as const
/** A flush on shutdown must not hold the exit forever when the collector is down. */
const FLUSH_LIMIT_MS = 3000

/**
 * Flushes on SIGTERM/SIGINT and when the event loop empties. When the app has its own handler for the signal, it
 * stays in charge of exiting; when ours is the only one, the signal's default (exit) is restored after the flush.
 * Returns a function that removes the hooks.
 */
export function flushOnShutdown(flush: () => Promise<void>): () => void {
  const bounded = () =>
    Promise.race([flush(), new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref())])
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      const alone = process.listenerCount(signal) === 1
      void bounded().finally(() => {
        if (!alone) return
        process.removeListener(signal, handler)
        process.kill(process.pid, signal)
      })
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  let flushedOnEmpty = false
  const onBeforeExit = () => {
    // `beforeExit` fires again after the flush's own I/O; flush once.
    if (flushedOnEmpty) return
    flushedOnEmpty = true
    void bounded()
  }
  process.on('beforeExit', onBeforeExit)
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler)
    process.removeListener('beforeExit', onBeforeExit)
  }
}
