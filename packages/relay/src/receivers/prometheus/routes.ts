import type { H3 } from 'h3'
import type { ReceiverDeps } from '../receiver.js'

/** Prometheus remote_write v1: `POST /api/v1/write` (protobuf + snappy). */
export function mountPrometheusRoutes(_app: H3, _deps: ReceiverDeps): void {}
