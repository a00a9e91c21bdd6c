import type { H3 } from 'h3'
import type { ReceiverDeps } from '../receiver.js'

/** Loki push: `POST /loki/api/v1/push` (JSON, and protobuf + snappy). */
export function mountLokiRoutes(_app: H3, _deps: ReceiverDeps): void {}
