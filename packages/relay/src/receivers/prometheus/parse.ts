import { MonlightError } from '@monlight/core'
import { unsnappy } from '../loki/parse.js'
import { lazyProtoType } from '../proto-type.js'

/** One series of a remote_write request: its labels (`__name__` included) and samples (time in epoch ms). */
export interface PromSeries {
  labels: Record<string, string>
  samples: { value: number; timestamp: number }[]
}

/** Metric families' types, when the sender includes metadata (Prometheus does, every minute). */
export type FamilyTypes = Map<string, 'counter' | 'gauge' | 'histogram' | 'summary'>

/** `prometheus.WriteRequest` v1 of prometheus/prompb (types.proto, remote.proto), with its official field numbers. */
const WRITE_PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; }
`
const writeType = lazyProtoType(WRITE_PROTO, 'prometheus.WriteRequest')

const METADATA_TYPES = new Map([
  [1, 'counter'],
  [2, 'gauge'],
  [3, 'histogram'],
  [4, 'gauge'],
  [5, 'summary'],
] as const)

/**
 * A remote_write v1 body (snappy block-compressed protobuf). A v2 request (`proto=io.prometheus.write.v2.Request`)
 * is a 415 that says so: Prometheus then falls back to v1.
 */
export function decodeWriteRequest(
  body: Buffer,
  contentType: string,
  maxDecodedBytes: number,
): { series: PromSeries[]; types: FamilyTypes } {
  if (/proto=io\.prometheus\.write\.v2/i.test(contentType)) {
    throw new MonlightError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Only remote_write 1.0 (prometheus.WriteRequest) is supported: set protobuf_message: prometheus.WriteRequest',
    )
  }
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-protobuf' && type !== '') {
    throw new MonlightError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/x-protobuf (snappy), not '${type.slice(0, 100)}'`,
    )
  }
  if (body.length === 0) return { series: [], types: new Map() }
  const decoded = unsnappy(body, maxDecodedBytes)
  let message: {
    timeseries?: {
      labels?: { name?: string; value?: string }[]
      samples?: { value?: number; timestamp?: number }[]
    }[]
    metadata?: { type?: number; metric_family_name?: string }[]
  }
  try {
    const write = writeType()
    message = write.toObject(write.decode(decoded), { longs: Number, defaults: false })
  } catch (error) {
    throw new MonlightError(
      'BAD_REQUEST',
      `The body is not a protobuf remote_write WriteRequest: ${(error as Error).message.slice(0, 200)}`,
    )
  }
  const types: FamilyTypes = new Map()
  for (const { type: kind, metric_family_name: family } of message.metadata ?? []) {
    const known = METADATA_TYPES.get(kind as 1)
    if (family && known) types.set(family, known)
  }
  const series = (message.timeseries ?? []).map((timeseries) => ({
    labels: Object.fromEntries(
      (timeseries.labels ?? [])
        .filter((label) => label.name)
        .map((label) => [label.name!, label.value ?? '']),
    ),
    samples: (timeseries.samples ?? []).map((sample) => ({
      value: sample.value ?? 0,
      timestamp: sample.timestamp ?? 0,
    })),
  }))
  return { series, types }
}
