import type { H3 } from 'h3'
import type { ReceiverDeps } from '../receiver.js'

/** OTLP/HTTP: `POST /v1/logs`, `/v1/metrics`, `/v1/traces` (JSON and protobuf). */
export function mountOtlpRoutes(_app: H3, _deps: ReceiverDeps): void {}
