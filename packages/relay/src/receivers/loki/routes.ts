import { MonlightError, readBytes, routeMeta } from '@monlight/core'
import type { H3, H3Event } from 'h3'
import { forwardEntries } from '../log-entries.js'
import type { ReceiverDeps } from '../receiver.js'
import { mapStreams } from './map.js'
import { decodePush } from './parse.js'

/**
 * Loki push: `POST /loki/api/v1/push` (and the legacy `/api/prom/push`), JSON (gzip allowed) or snappy-compressed
 * protobuf. `204` as Loki answers; entries the log store cannot take are left out and named in a `400`, as Loki
 * does, while the others are kept; `503` + `Retry-After` while the log store is unavailable (clients retry).
 */
export function mountLokiRoutes(app: H3, deps: ReceiverDeps): void {
  const meta = routeMeta({ public: true, bodyLimit: deps.limits.maxBodyBytes })
  const push = async (event: H3Event) => {
    const sender = await deps.edge.admit(event)
    const contentType = event.req.headers.get('content-type') ?? ''
    const body = await readBytes(event, {
      limit: deps.limits.maxBodyBytes,
      decodedLimit: deps.limits.maxDecodedBytes,
      snappy: true,
    })
    const entries = mapStreams(decodePush(body, contentType, deps.limits.maxDecodedBytes), sender.project)
    if (entries.length > 0 && !deps.forwarder.acceptsLogs) {
      throw new MonlightError('BAD_REQUEST', 'No log store is configured for this relay')
    }
    let outcome: Awaited<ReturnType<typeof forwardEntries>>
    try {
      outcome = await forwardEntries(deps.forwarder, entries, deps.now())
    } catch (error) {
      if (MonlightError.is(error) && error.status < 500) throw error
      throw new MonlightError('SERVICE_UNAVAILABLE', 'The log store is unavailable: retry later', {
        cause: error,
        headers: { 'retry-after': '5' },
      })
    }
    if (outcome.rejected > 0) {
      throw new MonlightError(
        'BAD_REQUEST',
        `${outcome.message} (the other ${entries.length - outcome.rejected} were kept)`,
      )
    }
    return new Response(null, { status: 204 })
  }
  app.post('/loki/api/v1/push', push, meta)
  app.post('/api/prom/push', push, meta)
}
