import { MonlightError } from '@monlight/core'
import { otlpType } from './proto.js'

export type Signal = 'logs' | 'metrics' | 'traces'
export type Encoding = 'json' | 'protobuf'

const MESSAGES: Record<Signal, { request: string; response: string; rejected: string }> = {
  logs: {
    request: 'ExportLogsServiceRequest',
    response: 'ExportLogsServiceResponse',
    rejected: 'rejectedLogRecords',
  },
  metrics: {
    request: 'ExportMetricsServiceRequest',
    response: 'ExportMetricsServiceResponse',
    rejected: 'rejectedDataPoints',
  },
  traces: {
    request: 'ExportTraceServiceRequest',
    response: 'ExportTraceServiceResponse',
    rejected: 'rejectedSpans',
  },
}

/** The request's encoding from its Content-Type; anything else is a 415, as the OTLP spec has it. */
export function encodingOf(contentType: string | null): Encoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json') return 'json'
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf'
  throw new MonlightError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type must be application/json or application/x-protobuf (OTLP/HTTP), not '${type.slice(0, 100) || 'none'}'`,
  )
}

/**
 * An Export*ServiceRequest as the plain object of OTLP's JSON encoding (lowerCamelCase fields, 64-bit integers as
 * decimal strings, trace and span ids as hex), whichever encoding it came in. An empty body is an empty request.
 */
export function decodeRequest(signal: Signal, body: Buffer, encoding: Encoding): Record<string, unknown> {
  if (body.length === 0) return {}
  const name = MESSAGES[signal].request
  if (encoding === 'json') {
    let value: unknown
    try {
      value = JSON.parse(body.toString('utf8'))
    } catch {
      throw new MonlightError('INVALID_JSON', `The body is not valid JSON (an OTLP ${name})`)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MonlightError('BAD_REQUEST', `The body must be a JSON object (an OTLP ${name})`)
    }
    return value as Record<string, unknown>
  }
  const type = otlpType(name)
  let message: ReturnType<typeof type.decode>
  try {
    message = type.decode(body)
  } catch (error) {
    throw new MonlightError(
      'BAD_REQUEST',
      `The body is not a protobuf OTLP ${name}: ${(error as Error).message.slice(0, 200)}`,
    )
  }
  const object = type.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false })
  hexIds(signal, object)
  return object
}

/** Protobuf carries ids as bytes (base64 once decoded to an object); OTLP's JSON has them in hex. */
function hexIds(signal: Signal, request: Record<string, unknown>): void {
  const toHex = (record: Record<string, unknown>, field: string) => {
    if (typeof record[field] === 'string')
      record[field] = Buffer.from(record[field], 'base64').toString('hex')
  }
  if (signal === 'logs') {
    for (const records of nested(request, 'resourceLogs', 'scopeLogs', 'logRecords')) {
      toHex(records, 'traceId')
      toHex(records, 'spanId')
    }
  } else if (signal === 'traces') {
    for (const span of nested(request, 'resourceSpans', 'scopeSpans', 'spans')) {
      toHex(span, 'traceId')
      toHex(span, 'spanId')
      toHex(span, 'parentSpanId')
    }
  }
}

function* nested(
  request: Record<string, unknown>,
  outer: string,
  middle: string,
  inner: string,
): Generator<Record<string, unknown>> {
  for (const resource of list(request[outer])) {
    for (const scope of list(resource[middle])) yield* list(scope[inner])
  }
}

/** The objects of a repeated field; anything else in it is skipped. */
export function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : []
}

/** The answer: `{}`, or a `partialSuccess` with the rejected count and why, in the request's encoding. */
export function encodeResponse(
  signal: Signal,
  rejected: { count: number; message?: string },
  encoding: Encoding,
): { body: Uint8Array | string; contentType: string } {
  const { response, rejected: field } = MESSAGES[signal]
  const partialSuccess =
    rejected.count > 0 ? { [field]: rejected.count, errorMessage: rejected.message ?? '' } : undefined
  if (encoding === 'json') {
    return { body: JSON.stringify(partialSuccess ? { partialSuccess } : {}), contentType: 'application/json' }
  }
  const type = otlpType(response)
  return {
    body: type.encode(type.fromObject(partialSuccess ? { partialSuccess } : {})).finish(),
    contentType: 'application/x-protobuf',
  }
}
