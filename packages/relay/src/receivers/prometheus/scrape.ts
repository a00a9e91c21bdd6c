import type { Logger, MetricPoint } from '@monlight/core'
import type { Forwarder } from '../../service/forward.js'
import { boundedLabels, type CumulativeTracker, forwardPoints, type SeriesBudget } from '../metric-points.js'
import { parseExposition } from './exposition.js'
import { mapSeries } from './map.js'

/** One `/metrics` endpoint to pull from (prom-client apps, exporters), as the relay's `scrape` option lists them. */
export interface ScrapeTarget {
  url: string
  /** The `job` label; default the URL's host. */
  job?: string
  intervalSeconds: number
  timeoutSeconds: number
  /** Added to every series of the target. */
  labels: Record<string, string>
  bearerToken?: string
  /** Largest answer read (decompressed); a larger one fails the scrape. */
  maxBytes: number
  /** The project its series belong to; default none. */
  project?: string
}

export interface ScraperDeps {
  targets: readonly ScrapeTarget[]
  forwarder: Forwarder
  cumulative: CumulativeTracker
  series: SeriesBudget
  logger: Logger
  now: () => number
}

/**
 * Pulls each target on its interval, as Prometheus does: its series with `job` and `instance` (and the target's
 * own labels; a scraped `job` or `instance` label is kept as `exported_job` / `exported_instance`), mapped like
 * remote_write (counters and buckets as increments), plus `up` (1 or 0) and `scrape_duration_seconds` per target.
 * A target that hangs is cut at its timeout, one that answers too much at its `maxBytes`; a target going down or
 * coming back is logged once, not at every scrape.
 */
export function createScraper(deps: ScraperDeps) {
  const due = new Map<ScrapeTarget, number>()
  const up = new Map<ScrapeTarget, boolean>()

  const scrape = async (target: ScrapeTarget, signal: AbortSignal): Promise<void> => {
    const url = new URL(target.url)
    const identity = { job: target.job ?? url.host, instance: url.host }
    const started = performance.now()
    const timestamp = deps.now()
    let points: MetricPoint[] = []
    let failure: string | undefined
    try {
      const text = await fetchBounded(target, signal)
      const { series, types } = parseExposition(text, timestamp)
      for (const one of series) {
        for (const name of ['job', 'instance'] as const) {
          if (name in one.labels) one.labels[`exported_${name}`] = one.labels[name]!
        }
        Object.assign(one.labels, target.labels, identity)
      }
      points = mapSeries(series, types, { project: target.project, cumulative: deps.cumulative }).points
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
    }
    const labels = boundedLabels({ ...target.labels, ...identity })
    const project = target.project ? { project: target.project } : {}
    points.push(
      { name: 'up', type: 'gauge', value: failure ? 0 : 1, labels, timestamp, ...project },
      {
        name: 'scrape_duration_seconds',
        type: 'gauge',
        value: (performance.now() - started) / 1000,
        labels,
        timestamp,
        ...project,
      },
    )
    if (up.get(target) !== !failure) {
      if (failure) deps.logger.warn('scrape target down', { url: target.url, reason: failure })
      else if (up.has(target)) deps.logger.info('scrape target up again', { url: target.url })
      up.set(target, !failure)
    }
    const outcome = await forwardPoints(deps.forwarder, points, deps.series)
    if (outcome.rejected > 0)
      deps.logger.warn('scraped series refused', { url: target.url, reason: outcome.message })
  }

  return {
    /** Scrapes the targets whose interval has passed (all of them the first time). */
    async scrapeDue(signal: AbortSignal): Promise<void> {
      const now = deps.now()
      const ready = deps.targets.filter((target) => (due.get(target) ?? 0) <= now)
      for (const target of ready) due.set(target, now + target.intervalSeconds * 1000)
      await Promise.all(
        ready.map((target) =>
          scrape(target, signal).catch((error: unknown) =>
            deps.logger.warn('scrape failed', { url: target.url, error }),
          ),
        ),
      )
    },
    /** How often to check for due targets: the shortest interval. */
    tickMs: Math.min(...deps.targets.map((target) => target.intervalSeconds * 1000)),
  }
}

/** The target's answer as text, within its timeout and size limit (compressed answers are undone by fetch). */
async function fetchBounded(target: ScrapeTarget, stop: AbortSignal): Promise<string> {
  const signal = AbortSignal.any([stop, AbortSignal.timeout(target.timeoutSeconds * 1000)])
  const response = await fetch(target.url, {
    headers: {
      accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
      ...(target.bearerToken && { authorization: `Bearer ${target.bearerToken}` }),
    },
    signal,
  }).catch((error: unknown) => {
    throw new Error(
      signal.aborted ? `no answer within ${target.timeoutSeconds} s` : `cannot connect: ${cause(error)}`,
    )
  })
  if (!response.ok || !response.body) {
    await response.body?.cancel()
    throw new Error(`answered ${response.status}`)
  }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.length
      if (size > target.maxBytes) {
        await reader.cancel()
        throw new Error(`answer larger than ${target.maxBytes} bytes`)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`no complete answer within ${target.timeoutSeconds} s`)
    throw error
  }
  return Buffer.concat(chunks).toString('utf8')
}

function cause(error: unknown): string {
  const inner = (error as { cause?: { code?: string; message?: string } }).cause
  return inner?.code ?? inner?.message ?? String(error)
}
