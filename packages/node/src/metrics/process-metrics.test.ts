import { describe, expect, it } from 'vitest'
import { createRecorder } from '../__fixtures__/recorder.js'
import { MetricsClient } from './metrics-client.js'
import { collectProcessMetrics } from './process-metrics.js'

describe('collectProcessMetrics', () => {
  it('samples memory and event-loop delay and records GC pauses', async () => {
    const recorder = createRecorder()
    const metrics = new MetricsClient({ ingest: recorder.metrics })
    const stop = collectProcessMetrics(metrics, { intervalMs: 50 })
    // Some garbage and a busy loop, so there is GC and loop delay to see.
    const until = Date.now() + 250
    let junk: unknown[] = []
    while (Date.now() < until) {
      junk.push(new Array(1000).fill(Math.random()))
      if (junk.length > 2000) junk = []
      await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setTimeout(resolve, 120))
    stop()
    await metrics.shutdown()
    const names = new Set(recorder.points.map((point) => point.name))
    expect(names).toContain('process_resident_memory_bytes')
    expect(names).toContain('nodejs_heap_used_bytes')
    expect(names).toContain('nodejs_eventloop_delay_seconds')
    expect(names).toContain('nodejs_gc_duration_seconds')
    const rss = recorder.points.find((point) => point.name === 'process_resident_memory_bytes')
    expect(rss?.type).toBe('gauge')
    expect(rss?.value).toBeGreaterThan(10_000_000)
  })
})
