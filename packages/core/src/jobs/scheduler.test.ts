import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../logger.js'
import { createScheduler } from './scheduler.js'

describe('scheduler', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts nothing until start(), then runs each job on start and every interval', async () => {
    vi.useFakeTimers()
    const runs: string[] = []
    const scheduler = createScheduler({ name: 'test' })
      .add({ name: 'fast', intervalMs: 100, run: () => void runs.push('fast') })
      .add({ name: 'later', intervalMs: 250, runOnStart: false, run: () => void runs.push('later') })
    await vi.advanceTimersByTimeAsync(1000)
    expect(runs).toEqual([])
    const stop = scheduler.start()
    await vi.advanceTimersByTimeAsync(260)
    expect(runs.filter((r) => r === 'fast')).toHaveLength(3)
    expect(runs.filter((r) => r === 'later')).toHaveLength(1)
    await stop()
    const count = runs.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(runs).toHaveLength(count)
  })

  it('never overlaps a job with itself, and stop() waits for the running one', async () => {
    let active = 0
    let maxActive = 0
    let finished = 0
    const stop = createScheduler({ name: 'test' })
      .add({
        name: 'slow',
        intervalMs: 1,
        run: async () => {
          active++
          maxActive = Math.max(maxActive, active)
          await new Promise((resolve) => setTimeout(resolve, 30))
          active--
          finished++
        },
      })
      .start()
    await new Promise((resolve) => setTimeout(resolve, 100))
    await stop()
    expect(maxActive).toBe(1)
    expect(active).toBe(0)
    expect(finished).toBeGreaterThanOrEqual(2)
  })

  it('logs a failing job and runs it again', async () => {
    const lines: string[] = []
    const logger = createLogger({ write: (line) => lines.push(line) })
    let calls = 0
    const stop = createScheduler({ name: 'test', logger })
      .add({
        name: 'flaky',
        intervalMs: 5,
        run: () => {
          calls++
          if (calls === 1) throw new Error('disk on fire')
        },
      })
      .start()
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2))
    await stop()
    expect(lines.some((line) => line.includes('job failed') && line.includes('disk on fire'))).toBe(true)
  })

  it('aborts the signal of a running job on stop', async () => {
    let aborted = false
    let started = false
    const stop = createScheduler({ name: 'test' })
      .add({
        name: 'long',
        intervalMs: 1000,
        run: (signal) =>
          new Promise<void>((resolve) => {
            started = true
            signal.addEventListener('abort', () => {
              aborted = true
              resolve()
            })
          }),
      })
      .start()
    await vi.waitFor(() => expect(started).toBe(true))
    await stop()
    expect(aborted).toBe(true)
  })
})
