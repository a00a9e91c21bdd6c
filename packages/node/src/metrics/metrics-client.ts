import type { Logger, MetricPoint, MetricsIngest, MetricType } from '@monlight/core'
import { createThrottledWarn, defaultLogger } from '../logging.js'
import { httpMetricsIngest, httpTarget } from '../transport.js'

export interface MetricsClientOptions {
  /** The metrics collector, e.g. `http://localhost:5012`. Either this (with `apiKey`) or `ingest`. */
  baseUrl?: string
  apiKey?: string
  /** In-process target: the metrics module's `service` when Monlight is embedded in the same app. */
  ingest?: MetricsIngest
  /** Sent with every point when set. */
  project?: string
  /** How often buffered points are sent. Default 10 000 ms, as the Python client. */
  flushIntervalMs?: number
  /** Points kept while the collector is unreachable; beyond it the oldest are dropped (and counted). Default 10 000. */
  maxBuffer?: number
  /** Per request. Default 5000. */
  timeoutMs?: number
  /**
   * Pre-aggregate between flushes (default true): counters are summed per series, and histogram observations
   * are counted in log buckets of ±0.5 % and sent as one point with a `count` per bucket, so a busy app sends a
   * few hundred points per flush instead of one per request. `false` sends every observation on its own, as
   * the Python client (needed only for the original collector, which ignores `count`).
   */
  aggregate?: boolean
  logger?: Logger
}

export type Labels = Record<string, string | number>

/** Records values into one series; see {@link MetricsClient.series}. */
export interface SeriesRecorder {
  record(value: number): void
}

/** The collector's batch limit. */
const MAX_BATCH = 1000
const FAILURE_LOG_INTERVAL_MS = 60_000
/** Reported (as a counter) when the buffer overflowed, so the loss shows on the dashboard too. */
export const DROPPED_POINTS_METRIC = 'monlight_sdk_dropped_points_total'

interface Buffered {
  point: MetricPoint
  retried: boolean
}

/** Histogram buckets: ±0.5 % relative error, the DDSketch mapping (`γ = (1 + α) / (1 − α)`). */
const ACCURACY = 0.005
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)

/**
 * Buffers counters, gauges and histograms and sends them in batches, over HTTP or in-process. The flush timer is
 * `unref`'d (it never keeps the process alive); call `shutdown()` on exit to send what is left. A failed batch is
 * retried once with the next flush; it never throws into the app.
 *
 * @example
 * const metrics = new MetricsClient({ baseUrl: 'http://localhost:5012', apiKey })
 * metrics.counter('orders_total', { status: 'paid' })
 * const done = metrics.timer('checkout_duration_seconds'); await checkout(); done()
 */
export class MetricsClient {
  private readonly target: MetricsIngest
  private readonly project: string | undefined
  private readonly flushIntervalMs: number
  private readonly maxBuffer: number
  private readonly warn: ReturnType<typeof createThrottledWarn>
  private readonly aggregate: boolean
  /** Serialized label sets by object, so a caller reusing its labels objects skips `JSON.stringify`. */
  private readonly labelKeys = new WeakMap<Labels, string>()
  /** Observations of the current window: per series, its points by histogram bucket (one point for counters). */
  private window = new Map<string, Map<number | string, MetricPoint>>()
  private windowPoints = 0
  /** Points ready to send (or to retry). */
  private buffer: Buffered[] = []
  private droppedSinceReport = 0
  private droppedTotal = 0
  private flushTimer: ReturnType<typeof setInterval> | undefined
  private flushing: Promise<void> | undefined
  private closed = false

  constructor(options: MetricsClientOptions) {
    this.target = options.ingest ?? httpMetricsIngest(httpTarget('MetricsClient', options))
    this.project = options.project
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000
    this.maxBuffer = Math.max(1, options.maxBuffer ?? 10_000)
    this.aggregate = options.aggregate ?? true
    this.warn = createThrottledWarn(options.logger ?? defaultLogger(), FAILURE_LOG_INTERVAL_MS)
  }

  /** Adds `value` (default 1) to a counter. Same argument order as the Python client. */
  counter(name: string, labels?: Labels, value = 1): void {
    this.record('counter', name, value, labels)
  }

  histogram(name: string, value: number, labels?: Labels): void {
    this.record('histogram', name, value, labels)
  }

  gauge(name: string, value: number, labels?: Labels): void {
    this.record('gauge', name, value, labels)
  }

  /** Starts a timer; the returned function records the elapsed seconds as a histogram and returns them. */
  timer(name: string, labels?: Labels): (extraLabels?: Labels) => number {
    const started = performance.now()
    return (extraLabels) => {
      const seconds = (performance.now() - started) / 1000
      this.histogram(name, seconds, extraLabels ? { ...labels, ...extraLabels } : labels)
      return seconds
    }
  }

  /** Points dropped because the buffer was full, since the client was created. */
  get dropped(): number {
    return this.droppedTotal
  }

  /** Points waiting to be sent. */
  get buffered(): number {
    return this.buffer.length + this.windowPoints
  }

  /** Starts the background flush (idempotent). Recording a point starts it too. */
  start(): void {
    if (this.flushTimer || this.closed) return
    this.flushTimer = setInterval(() => void this.flush(), this.flushIntervalMs)
    this.flushTimer.unref()
  }

  /** Sends everything buffered now; resolves when done (failures are logged, not thrown). */
  flush(): Promise<void> {
    // One flush at a time; a flush asked for during another runs right after it, so nothing recorded before the
    // call is left behind.
    const next = (this.flushing ?? Promise.resolve()).then(() => this.sendAll())
    this.flushing = next.finally(() => {
      if (this.flushing === next) this.flushing = undefined
    })
    return next
  }

  /** Stops the timer and sends what is left. Safe to call more than once. */
  async shutdown(): Promise<void> {
    this.closed = true
    clearInterval(this.flushTimer)
    this.flushTimer = undefined
    await this.flush()
  }

  /**
   * A recorder for one series, its labels serialised once: for hot paths that record the same series again and
   * again (the framework integrations record two series per request).
   */
  series(type: MetricType, name: string, labels?: Labels): SeriesRecorder {
    const own = labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined
    if (!this.aggregate || type === 'gauge')
      return { record: (value) => this.push(this.rawPoint(type, name, value, own)) }
    const key = `${type}\u0000${name}\u0000${own ? JSON.stringify(own) : ''}`
    return { record: (value) => this.observe(key, type, name, value, own) }
  }

  private record(type: MetricType, name: string, value: number, labels: Labels | undefined): void {
    const own = labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined
    // Gauges stay raw: the last value of a window would hide its minimum and maximum.
    if (!this.aggregate || type === 'gauge') this.push(this.rawPoint(type, name, value, own))
    else this.observe(`${type}\u0000${name}\u0000${own ? this.labelKey(own) : ''}`, type, name, value, own)
  }

  /** Adds an observation to the window: counters summed per series, histograms counted per log bucket. */
  private observe(
    series: string,
    type: MetricType,
    name: string,
    value: number,
    labels: Labels | undefined,
  ): void {
    if (!Number.isFinite(value)) {
      this.push(this.rawPoint(type, name, value, labels))
      return
    }
    let points = this.window.get(series)
    if (!points) {
      points = new Map()
      this.window.set(series, points)
    }
    const bucket = type === 'counter' ? 0 : value > 0 ? Math.ceil(Math.log(value) / LOG_GAMMA) : `v${value}`
    const point = points.get(bucket)
    if (!point) {
      // A single observation keeps its exact value; a bucket with several is sent at its representative value.
      if (this.makeRoom()) {
        points.set(bucket, this.newPoint(type, name, value, labels))
        this.windowPoints++
      }
    } else if (type === 'counter') {
      point.value += value
    } else {
      point.count = (point.count ?? 1) + 1
      if (typeof bucket === 'number') point.value = (2 * GAMMA ** bucket) / (GAMMA + 1)
    }
    this.start()
  }

  private rawPoint(type: MetricType, name: string, value: number, labels: Labels | undefined): Buffered {
    this.start()
    return { point: this.newPoint(type, name, value, labels), retried: false }
  }

  private labelKey(labels: Labels): string {
    let key = this.labelKeys.get(labels)
    if (key === undefined) {
      key = JSON.stringify(labels)
      this.labelKeys.set(labels, key)
    }
    return key
  }

  private newPoint(type: MetricType, name: string, value: number, labels: Labels | undefined): MetricPoint {
    const point: MetricPoint = { name, type, value, timestamp: timestamp() }
    if (labels) point.labels = labels
    if (this.project) point.project = this.project
    return point
  }

  /** Frees a place for one more point by dropping the oldest ready one; false when nothing can be dropped. */
  private makeRoom(): boolean {
    if (this.buffer.length + this.windowPoints < this.maxBuffer) return true
    this.droppedSinceReport++
    this.droppedTotal++
    return this.buffer.shift() !== undefined
  }

  private push(item: Buffered): void {
    if (this.makeRoom()) this.buffer.push(item)
  }

  private async sendAll(): Promise<void> {
    if (this.droppedSinceReport > 0) {
      this.warn('metrics buffer full: oldest points dropped', {
        dropped: this.droppedTotal,
        max_buffer: this.maxBuffer,
      })
      const dropped = this.droppedSinceReport
      this.droppedSinceReport = 0
      this.buffer.push({
        point: {
          name: DROPPED_POINTS_METRIC,
          type: 'counter',
          value: dropped,
          timestamp: timestamp(),
          ...(this.project && { project: this.project }),
        },
        retried: false,
      })
    }
    for (const points of this.window.values())
      for (const point of points.values()) this.buffer.push({ point, retried: false })
    this.window = new Map()
    this.windowPoints = 0
    const pending = this.buffer
    this.buffer = []
    for (let start = 0; start < pending.length; start += MAX_BATCH) {
      const batch = pending.slice(start, start + MAX_BATCH)
      try {
        await this.target.ingest(batch.map((item) => item.point))
      } catch (error) {
        const retry = batch
          .filter((item) => !item.retried)
          .map((item) => ({ point: item.point, retried: true }))
        this.warn('metrics not delivered', {
          reason: (error as Error).message,
          points: batch.length,
          retrying: retry.length,
        })
        // The failed batch is retried once with the next flush, ahead of the unsent rest and of anything recorded
        // since, so order is kept; the buffer bound still applies.
        const requeue = [...retry, ...pending.slice(start + MAX_BATCH), ...this.buffer]
        this.buffer = []
        for (const item of requeue) this.push(item)
        return
      }
    }
  }
}

let cachedSecond = 0
let cachedTimestamp = ''
/** UTC now as `YYYY-MM-DDTHH:MM:SSZ`, the Python client's format; formatted once per second. */
function timestamp(): string {
  const second = Math.floor(Date.now() / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedTimestamp = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`
  }
  return cachedTimestamp
}
