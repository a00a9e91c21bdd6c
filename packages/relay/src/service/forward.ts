import {
  type ErrorIngest,
  type ErrorReport,
  type LogEntry,
  type Logger,
  type LogsIngest,
  type MetricPoint,
  type MetricsIngest,
  MonlightError,
} from '@monlight/core'
import type { HttpForwardOptions } from '../options.js'

/** What a forwarded browser error answers: the error tracker's status and body, or that it waits in the queue. */
export interface ForwardedError {
  status: number
  body: unknown
}

/** Where browser events go: the errors, metrics and logs modules, in-process or over HTTP. */
export interface Forwarder {
  error(report: ErrorReport): Promise<ForwardedError>
  metrics(points: MetricPoint[]): Promise<void>
  /** Whether a log store is configured; without one, log items are dropped (and counted). */
  readonly acceptsLogs: boolean
  logs(entries: LogEntry[]): Promise<void>
  /** Events waiting for a backend. */
  readonly pending: number
  /** Tries once more to deliver queued events (bounded by the timeout), then stops retrying. */
  close(): Promise<void>
}

export function upstreamError(cause?: unknown): MonlightError {
  return new MonlightError('BAD_GATEWAY', 'Upstream error', { cause })
}

/**
 * A store's answer to an event it refused: its own 400 / 413 with its message when the event was at fault (the
 * client can fix that, and must not retry it), else `502 Upstream error` (the backend is down or misconfigured).
 */
function refusal(status: number, detail: string, cause?: unknown): MonlightError {
  if (status === 400 || status === 422) return new MonlightError('VALIDATION_FAILED', detail, { cause })
  if (status === 413) return new MonlightError('PAYLOAD_TOO_LARGE', detail, { cause })
  return upstreamError(cause)
}

/** An in-process store's failure, as {@link refusal} answers it. */
function inProcessFailure(error: unknown): MonlightError {
  return MonlightError.is(error) ? refusal(error.status, error.message, error) : upstreamError(error)
}

/** Calls the modules' services directly (one process); an event they refuse gets their 4xx, other failures 502. */
export function inProcessForwarder(
  errors: ErrorIngest,
  metrics: MetricsIngest,
  logs: LogsIngest | undefined,
  logger: Logger,
): Forwarder {
  return {
    acceptsLogs: logs !== undefined,
    async logs(entries) {
      if (!logs) return
      try {
        await logs.write(entries)
      } catch (error) {
        logger.warn('log ingest failed', { error })
        throw inProcessFailure(error)
      }
    },
    async error(report) {
      try {
        const result = await errors.ingest(report)
        return { status: result.status === 'incremented' ? 200 : 201, body: result }
      } catch (error) {
        logger.warn('error ingest failed', { error })
        throw inProcessFailure(error)
      }
    },
    async metrics(points) {
      try {
        await metrics.ingest(points)
      } catch (error) {
        logger.warn('metrics ingest failed', { error })
        throw inProcessFailure(error)
      }
    },
    pending: 0,
    close: async () => {},
  }
}

interface Job {
  url: string
  apiKey: string
  body: string
  attempts: number
}

/** The backend refused the event itself (a 4xx other than 408/429): retrying cannot help. */
class Rejected extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Forwards over HTTP with a timeout per attempt. An event the backend cannot take right now (down, slow, 5xx,
 * 429) waits in a bounded queue and is retried with backoff, and the browser gets `202 {"status":"queued"}`:
 * the relay answers within the timeout and loses nothing it acknowledged. While the queue holds events, new ones
 * join it directly, in order. An event the backend rejects gets its 400 / 413 (else 502); a full queue is
 * `502 Upstream error`.
 */
export function httpForwarder(options: HttpForwardOptions, logger: Logger): Forwarder {
  const errorsUrl = joinUrl(options.errorTrackerUrl, '/api/errors')
  const metricsUrl = joinUrl(options.metricsCollectorUrl, '/api/metrics')
  const logsUrl = options.logViewerUrl && joinUrl(options.logViewerUrl, '/api/logs')
  const queue: Job[] = []
  let timer: NodeJS.Timeout | undefined
  let draining = false
  let closed = false

  const send = async (job: Pick<Job, 'url' | 'apiKey' | 'body'>): Promise<ForwardedError> => {
    const response = await fetch(job.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': job.apiKey },
      body: job.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    const text = await response.text()
    if (response.ok) return { status: response.status, body: text ? parseBody(text) : { status: 'accepted' } }
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 408 &&
      response.status !== 429
    ) {
      const detail = (parseBody(text) as { detail?: unknown }).detail
      throw new Rejected(
        response.status,
        typeof detail === 'string' ? detail : `the backend answered ${response.status}`,
        `${job.url} answered ${response.status}: ${text.slice(0, 200)}`,
      )
    }
    throw new Error(`${job.url} answered ${response.status}`)
  }

  const schedule = () => {
    if (timer || closed || queue.length === 0) return
    const delay = Math.min(60_000, options.queue.retryDelayMs * 2 ** Math.max(0, queue[0]!.attempts - 1))
    timer = setTimeout(() => {
      timer = undefined
      void drain()
    }, delay)
    timer.unref()
  }

  const drain = async () => {
    if (draining) return
    draining = true
    try {
      while (queue.length > 0) {
        const job = queue[0]!
        try {
          await send(job)
          queue.shift()
        } catch (error) {
          job.attempts++
          if (error instanceof Rejected || job.attempts >= options.queue.maxAttempts) {
            logger.error('dropping a queued event', { url: job.url, attempts: job.attempts, error })
            queue.shift()
            continue
          }
          logger.warn('backend unavailable, will retry', { url: job.url, pending: queue.length, error })
          break
        }
      }
    } finally {
      draining = false
      schedule()
    }
  }

  const forward = async (url: string, apiKey: string, payload: unknown): Promise<ForwardedError> => {
    const job: Job = { url, apiKey, body: JSON.stringify(payload), attempts: 0 }
    if (queue.length === 0 && !closed) {
      try {
        return await send(job)
      } catch (error) {
        if (error instanceof Rejected) {
          logger.warn('backend rejected an event', { error })
          throw refusal(error.status, error.detail, error)
        }
        logger.warn('backend unavailable, queueing', { url, error })
        job.attempts = 1
      }
    }
    if (queue.length >= options.queue.maxSize || closed) throw upstreamError()
    queue.push(job)
    schedule()
    return { status: 202, body: { status: 'queued' } }
  }

  return {
    error: (report) => forward(errorsUrl, options.errorTrackerApiKey, report),
    acceptsLogs: logsUrl !== undefined,
    async logs(entries) {
      if (logsUrl)
        await forward(logsUrl, options.logViewerApiKey ?? options.errorTrackerApiKey, { logs: entries })
    },
    async metrics(points) {
      await forward(metricsUrl, options.metricsCollectorApiKey, points)
    },
    get pending() {
      return queue.length
    },
    async close() {
      closed = true
      clearTimeout(timer)
      timer = undefined
      await drain()
      clearTimeout(timer)
      timer = undefined
      if (queue.length > 0) logger.error('events still queued at shutdown', { pending: queue.length })
    },
  }
}

/** `base` + `path` without a doubled slash (upstream concatenated them as they were). */
function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return { status: 'accepted' }
  }
}
