import type { BrowserMetric, Hub } from './types.js'
import { isoNow } from './util.js'

/** Metrics wait up to BATCH_DELAY ms for company unless BATCH_SIZE are waiting; at most MAX_BUFFER are kept. */
const BATCH_DELAY = 5000
const BATCH_SIZE = 20
const MAX_BUFFER = 500
const PER_BODY = 100

/**
 * Records one metric with the upstream labels (`session_id`, `page`) and timestamp. The batching lives here, not
 * in the client, so an app without metric features does not carry it.
 */
export function recordMetric(
  hub: Hub,
  name: string,
  type: BrowserMetric['type'],
  value: number,
  labels?: Record<string, string>,
): void {
  let buffer = hub.metricBuffer
  if (!buffer) {
    const created: BrowserMetric[] = []
    buffer = hub.metricBuffer = created
    hub.transport.drain(() => {
      while (created.length)
        hub.transport.send('metrics', JSON.stringify({ metrics: created.splice(0, PER_BODY) }))
    })
  }
  if (buffer.length >= MAX_BUFFER) return
  buffer.push({
    name,
    type,
    value,
    labels: { ...labels, session_id: hub.session, page: location.pathname },
    timestamp: isoNow(),
  })
  hub.transport.schedule(buffer.length < BATCH_SIZE ? BATCH_DELAY : 0)
}
