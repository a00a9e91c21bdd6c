import { describe, expect, it } from 'vitest'
import { deleteInBatches } from './batches.js'

describe('deleteInBatches', () => {
  it('deletes until a batch comes back short, letting the event loop run between batches', async () => {
    let left = 25
    let timersRan = 0
    const timer = setInterval(() => timersRan++, 0)
    // Synchronous work behind a resolved promise, as a better-sqlite3 DELETE is.
    const total = await deleteInBatches(async () => {
      const busyUntil = Date.now() + 3
      while (Date.now() < busyUntil) {}
      const n = Math.min(10, left)
      left -= n
      return n
    }, 10)
    clearInterval(timer)
    expect(total).toBe(25)
    expect(timersRan).toBeGreaterThan(0)
  })

  it('stops when the signal aborts', async () => {
    const controller = new AbortController()
    let batches = 0
    const total = await deleteInBatches(
      async () => {
        if (++batches === 2) controller.abort()
        return 10
      },
      10,
      controller.signal,
    )
    expect(total).toBe(20)
  })
})
