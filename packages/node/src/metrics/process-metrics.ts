import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import type { MetricsClient } from './metrics-client.js'

export interface ProcessMetricsOptions {
  /** How often gauges are sampled. Default 15 000 ms. */
  intervalMs?: number
}

/**
 * Samples the process every interval: `process_resident_memory_bytes`, `nodejs_heap_used_bytes`,
 * `nodejs_heap_total_bytes`, `nodejs_eventloop_delay_seconds` (p50 and p99 as `quantile` label), and records each
 * GC pause in the `nodejs_gc_duration_seconds` histogram (`kind` label). Returns `stop()`.
 */
export function collectProcessMetrics(
  metrics: MetricsClient,
  options: ProcessMetricsOptions = {},
): () => void {
  const delay = monitorEventLoopDelay({ resolution: 20 })
  delay.enable()
  const sample = () => {
    const memory = process.memoryUsage()
    metrics.gauge('process_resident_memory_bytes', memory.rss)
    metrics.gauge('nodejs_heap_used_bytes', memory.heapUsed)
    metrics.gauge('nodejs_heap_total_bytes', memory.heapTotal)
    if (delay.count > 0) {
      metrics.gauge('nodejs_eventloop_delay_seconds', delay.percentile(50) / 1e9, { quantile: '0.5' })
      metrics.gauge('nodejs_eventloop_delay_seconds', delay.percentile(99) / 1e9, { quantile: '0.99' })
    }
    delay.reset()
  }
  const timer = setInterval(sample, options.intervalMs ?? 15_000)
  timer.unref()

  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other'
      metrics.histogram('nodejs_gc_duration_seconds', entry.duration / 1000, { kind })
    }
  })
  gc.observe({ entryTypes: ['gc'] })

  return () => {
    clearInterval(timer)
    delay.disable()
    gc.disconnect()
  }
}

/** `perf_hooks.constants.NODE_PERFORMANCE_GC_*` values. */
const GC_KINDS: Record<number, string> = { 1: 'major', 2: 'minor', 4: 'incremental', 8: 'weakcb' }
