import { MonlightError, readBytes, routeMeta } from '@monlight/core'
import type { H3, H3Event } from 'h3'
import { forwardEntries } from '../log-entries.js'
import { forwardPoints } from '../metric-points.js'
import type { ReceiverDeps } from '../receiver.js'
import { mapLogs, mapMetrics, mapTraces, type OtlpContext } from './map.js'
import { decodeRequest, type Encoding, encodeResponse, encodingOf, type Signal } from './parse.js'

/** Seconds an exporter waits before retrying when a store is unavailable. */
const RETRY_AFTER_SECONDS = 5

/**
 * OTLP/HTTP: `POST /v1/logs`, `/v1/metrics`, `/v1/traces` (also under `/otlp`), JSON or protobuf, compressed or
 * not. Answers as the spec asks, so exporters retry only what they should: `200 {}`, or `200` with a
 * `partialSuccess` naming what was refused; `400` for data that cannot be decoded, `413` when too large, `415`
 * for other content types (none retried), `503` with `Retry-After` while a store is unavailable (retried).
 */
export function mountOtlpRoutes(app: H3, deps: ReceiverDeps): void {
  const meta = routeMeta({ public: true, bodyLimit: deps.limits.maxBodyBytes })

  const handler = (signal: Signal) => async (event: H3Event) => {
    const sender = await deps.edge.admit(event)
    const encoding = encodingOf(event.req.headers.get('content-type'))
    const body = await readBytes(event, {
      limit: deps.limits.maxBodyBytes,
      decodedLimit: deps.limits.maxDecodedBytes,
    })
    const request = decodeRequest(signal, body, encoding)
    const context: OtlpContext = { project: sender.project, now: deps.now(), cumulative: deps.cumulative }
    const rejected = await retryably(() => receive(signal, request, context))
    return respond(event, signal, rejected, encoding)
  }

  const receive = async (signal: Signal, request: Record<string, unknown>, context: OtlpContext) => {
    if (signal === 'logs') {
      const { items } = mapLogs(request, context)
      if (items.length > 0 && !deps.forwarder.acceptsLogs) {
        return { count: items.length, message: 'no log store is configured for this relay' }
      }
      const outcome = await forwardEntries(deps.forwarder, items, context.now)
      return { count: outcome.rejected, message: outcome.message }
    }
    if (signal === 'metrics') {
      const mapped = mapMetrics(request, context)
      const outcome = await forwardPoints(deps.forwarder, mapped.items, deps.series)
      const reasons = [...mapped.reasons, ...(outcome.message ? [outcome.message] : [])]
      return { count: mapped.rejected + outcome.rejected, message: reasons.join('; ') }
    }
    const { points, errors } = mapTraces(request, context)
    await forwardPoints(deps.forwarder, points)
    let refused = 0
    for (const report of errors) {
      try {
        await deps.forwarder.error(report)
      } catch (error) {
        if (!MonlightError.is(error) || error.status >= 500) throw error
        refused++
      }
    }
    return {
      count: refused,
      message: refused > 0 ? `${refused} exception events refused by the error tracker` : '',
    }
  }

  for (const prefix of ['', '/otlp']) {
    app.post(`${prefix}/v1/logs`, handler('logs'), meta)
    app.post(`${prefix}/v1/metrics`, handler('metrics'), meta)
    app.post(`${prefix}/v1/traces`, handler('traces'), meta)
  }
}

/**
 * A store that is down is a 503 with Retry-After (exporters retry it); a store's refusal of data the mapping let
 * through is a 400 (exporters drop it).
 */
async function retryably<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (MonlightError.is(error) && error.status < 500) throw error
    throw new MonlightError('SERVICE_UNAVAILABLE', 'A Monlight store is unavailable: retry later', {
      cause: error,
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    })
  }
}

function respond(
  event: H3Event,
  signal: Signal,
  rejected: { count: number; message?: string },
  encoding: Encoding,
): Response {
  const { body, contentType } = encodeResponse(signal, rejected, encoding)
  event.res.headers.set('content-type', contentType)
  return new Response(body as string, { status: 200, headers: event.res.headers })
}
