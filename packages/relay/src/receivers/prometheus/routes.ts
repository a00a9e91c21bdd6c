import { MonlightError, readBytes, routeMeta } from '@monlight/core'
import type { H3, H3Event } from 'h3'
import { forwardPoints } from '../metric-points.js'
import type { ReceiverDeps } from '../receiver.js'
import { mapSeries } from './map.js'
import { decodeWriteRequest } from './parse.js'

/**
 * Prometheus remote_write 1.0: `POST /api/v1/write`, snappy-compressed protobuf, from Prometheus, Grafana Alloy,
 * vmagent or the OpenTelemetry Collector. `204` when stored; `400` for a body that cannot be decoded and for
 * series beyond the per-metric limit (Prometheus drops what gets a 4xx); `503` + `Retry-After` while the metrics
 * store is unavailable (Prometheus retries 5xx).
 */
export function mountPrometheusRoutes(app: H3, deps: ReceiverDeps): void {
  const meta = routeMeta({ public: true, bodyLimit: deps.limits.maxBodyBytes })
  app.post(
    '/api/v1/write',
    async (event: H3Event) => {
      const sender = await deps.edge.admit(event)
      const body = await readBytes(event, {
        limit: deps.limits.maxBodyBytes,
        decodedLimit: deps.limits.maxDecodedBytes,
        snappy: true,
      })
      const { series, types } = decodeWriteRequest(
        body,
        event.req.headers.get('content-type') ?? '',
        deps.limits.maxDecodedBytes,
      )
      const { points } = mapSeries(series, types, { project: sender.project, cumulative: deps.cumulative })
      let outcome: Awaited<ReturnType<typeof forwardPoints>>
      try {
        outcome = await forwardPoints(deps.forwarder, points, deps.series)
      } catch (error) {
        if (MonlightError.is(error) && error.status < 500) throw error
        throw new MonlightError('SERVICE_UNAVAILABLE', 'The metrics store is unavailable: retry later', {
          cause: error,
          headers: { 'retry-after': '5' },
        })
      }
      if (outcome.rejected > 0) throw new MonlightError('BAD_REQUEST', outcome.message!)
      return new Response(null, { status: 204 })
    },
    meta,
  )
}
