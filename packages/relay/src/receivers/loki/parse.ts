import { MonlightError } from '@monlight/core'
import { uncompressSync } from 'snappy'
import { lazyProtoType } from '../proto-type.js'

/** One stream of a push: its labels, and its entries (time in ns as a decimal string, line, metadata). */
export interface LokiStream {
  labels: Record<string, string>
  entries: { ns: string; line: string; metadata: Record<string, string> }[]
}

/** `logproto.PushRequest` of grafana/loki (pkg/push/push.proto), with its official field numbers. */
const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`
const pushType = lazyProtoType(PUSH_PROTO, 'logproto.PushRequest')

const bad = (reason: string) => new MonlightError('BAD_REQUEST', reason)

/** The push's streams from JSON (`{"streams":[{"stream":{…},"values":[["<ns>","<line>",{…}]]}]}`). */
export function parseJsonPush(text: string): LokiStream[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'The body is not valid JSON (a Loki push: {"streams":[…]})')
  }
  const streams = (value as { streams?: unknown } | null)?.streams
  if (typeof value !== 'object' || value === null || (streams !== undefined && !Array.isArray(streams))) {
    throw bad('A Loki push is a JSON object with a "streams" array')
  }
  return (streams ?? []).map((stream: unknown, s: number): LokiStream => {
    const { stream: labels, values } = (stream ?? {}) as { stream?: unknown; values?: unknown }
    if (!Array.isArray(values)) throw bad(`streams[${s}].values must be an array of [timestamp, line] pairs`)
    return {
      labels: stringRecord(labels ?? {}, `streams[${s}].stream`),
      entries: values.map((entry: unknown, e: number) => {
        const where = `streams[${s}].values[${e}]`
        if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
          throw bad(`${where} must be ["<unix epoch in nanoseconds>", "<log line>"] with optional metadata`)
        }
        const [ns, line, metadata] = entry
        if (typeof ns !== 'string' || !/^\d{1,20}$/.test(ns)) {
          throw bad(
            `${where}: the timestamp must be a string of unix epoch nanoseconds, e.g. "1700000000000000000"`,
          )
        }
        if (typeof line !== 'string') throw bad(`${where}: the log line must be a string`)
        return { ns, line, metadata: stringRecord(metadata ?? {}, `${where} metadata`) }
      }),
    }
  })
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${where} must be an object of string values`)
  }
  const record: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw bad(`${where}.${key.slice(0, 100)} must be a string`)
    record[key] = item
  }
  return record
}

/** The push's streams from snappy-compressed protobuf (Promtail's, Alloy's and winston-loki's default). */
export function parseProtobufPush(body: Buffer, maxDecodedBytes: number): LokiStream[] {
  const decoded = unsnappy(body, maxDecodedBytes)
  let message: Record<string, unknown>
  try {
    const type = pushType()
    message = type.toObject(type.decode(decoded), { longs: String, defaults: false })
  } catch (error) {
    throw bad(`The body is not a protobuf Loki PushRequest: ${(error as Error).message.slice(0, 200)}`)
  }
  const streams = (message.streams ?? []) as {
    labels?: string
    entries?: {
      timestamp?: { seconds?: string; nanos?: number }
      line?: string
      structuredMetadata?: { name?: string; value?: string }[]
    }[]
  }[]
  return streams.map((stream, s) => ({
    labels: parseLabelText(stream.labels ?? '{}', `streams[${s}].labels`),
    entries: (stream.entries ?? []).map((entry) => ({
      ns: nanoseconds(entry.timestamp),
      line: entry.line ?? '',
      metadata: Object.fromEntries(
        (entry.structuredMetadata ?? [])
          .filter((pair) => pair.name)
          .map((pair) => [pair.name!, pair.value ?? '']),
      ),
    })),
  }))
}

function nanoseconds(timestamp: { seconds?: string; nanos?: number } | undefined): string {
  const seconds = BigInt(timestamp?.seconds ?? '0')
  const ns = seconds * 1_000_000_000n + BigInt(timestamp?.nanos ?? 0)
  return ns < 0n ? '0' : ns.toString()
}

/**
 * Snappy's block format declares its decompressed length first (a varint): it is checked against the limit
 * before anything is decompressed, so a small bomb is refused at once.
 */
export function unsnappy(body: Buffer, maxDecodedBytes: number): Buffer {
  let length = 0
  let shift = 0
  for (let i = 0; i < 5 && i < body.length; i++) {
    length += (body[i]! & 0x7f) * 2 ** shift
    shift += 7
    if (body[i]! < 0x80) break
  }
  if (length > maxDecodedBytes) {
    throw new MonlightError(
      'PAYLOAD_TOO_LARGE',
      `Decompressed request body exceeds maximum size of ${maxDecodedBytes} bytes`,
    )
  }
  try {
    return uncompressSync(body) as Buffer
  } catch {
    throw bad('The body is not snappy-compressed (the block format, as Loki and Prometheus clients send)')
  }
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|(?=\}))/y

/** Prometheus label-set text, `{job="api", level="error"}`, with `\\`, `\"` and `\n` escapes. */
export function parseLabelText(text: string, where = 'labels'): Record<string, string> {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw bad(`${where} must be a label set such as {job="api"}, not '${trimmed.slice(0, 100)}'`)
  }
  const inner = trimmed.slice(1, -1)
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < inner.length && inner.slice(LABEL.lastIndex).trim() !== '') {
    const at = LABEL.lastIndex
    const match = LABEL.exec(`${inner}}`)
    if (!match || match.index !== at) {
      throw bad(`${where}: cannot read a label at '${inner.slice(at, at + 60)}' (expected name="value")`)
    }
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char))
  }
  return labels
}

export function decodePush(body: Buffer, contentType: string, maxDecodedBytes: number): LokiStream[] {
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json') return parseJsonPush(body.toString('utf8'))
  if (type === 'application/x-protobuf' || type === 'application/protobuf' || type === '') {
    return body.length === 0 ? [] : parseProtobufPush(body, maxDecodedBytes)
  }
  throw new MonlightError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type must be application/json or application/x-protobuf (snappy), not '${type.slice(0, 100)}'`,
  )
}
