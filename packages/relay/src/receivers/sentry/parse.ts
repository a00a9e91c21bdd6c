/**
 * The Sentry envelope format (develop docs, `data-model/envelopes`):
 *
 *     Envelope = Headers { "\n" Item } [ "\n" ]
 *     Item     = Headers "\n" Payload
 *
 * Each header is one line of JSON. An item header's `length` counts the payload's bytes; without it the payload
 * runs to the next newline. Lengths are bytes, so the parser works on the Buffer and decodes only header lines.
 * Pure: no HTTP, no IO.
 */
import { MonlightError } from '@monlight/core'

export interface EnvelopeHeader {
  event_id?: string
  dsn?: string
  sdk?: { name?: string; version?: string }
  /** RFC 3339, for clock-drift correction. */
  sent_at?: string
  [key: string]: unknown
}

export interface EnvelopeItem {
  type: string
  /** Where it stands in the envelope, from 1, as in `skipped`. */
  index: number
  header: Record<string, unknown>
  /** A view into the envelope's body, not a copy. */
  payload: Buffer
}

export interface Envelope {
  header: EnvelopeHeader
  items: EnvelopeItem[]
  /** Items skipped, with why, e.g. "item 3 (attachment): payload of 2000000 bytes exceeds the limit of …". */
  skipped: string[]
}

export interface EnvelopeLimits {
  /** Items kept per envelope; later ones are skipped. Default 1000. */
  maxItems: number
  /** Largest item payload in bytes; a larger item is skipped. Default 1 MiB (Sentry's limit for an event). */
  maxItemBytes: number
  /** Largest envelope in bytes (413 when over); default none, the body limit applies. */
  maxEnvelopeBytes?: number
}

export const DEFAULT_ENVELOPE_LIMITS: Readonly<EnvelopeLimits> = { maxItems: 1000, maxItemBytes: 1024 * 1024 }

const NEWLINE = 0x0a
const RETURN = 0x0d
const EXAMPLE_ITEM = '{"type":"event"}'

/**
 * Parses an envelope. Items are numbered from 1 in the order they appear. Broken framing (an item header that is
 * not a JSON object with a string `type`, a bad or lying `length`) loses the place of every later item, so it
 * fails the whole envelope with a 400, as Relay does. An item over `maxItemBytes`, and every item past
 * `maxItems`, is left out and noted in `skipped` (the ones past `maxItems` in one entry that counts them).
 * Blank lines where an item header would start are ignored; a header line may end in "\r\n".
 */
export function parseEnvelope(body: Buffer, limits: Partial<EnvelopeLimits> = {}): Envelope {
  const maxItems = limits.maxItems ?? DEFAULT_ENVELOPE_LIMITS.maxItems
  const maxItemBytes = limits.maxItemBytes ?? DEFAULT_ENVELOPE_LIMITS.maxItemBytes
  if (limits.maxEnvelopeBytes !== undefined && body.length > limits.maxEnvelopeBytes) {
    throw new MonlightError(
      'PAYLOAD_TOO_LARGE',
      `Envelope of ${body.length} bytes exceeds the maximum size of ${limits.maxEnvelopeBytes} bytes`,
      { body: { limit: limits.maxEnvelopeBytes } },
    )
  }

  const firstEnd = lineEnd(body, 0)
  const firstLine = headerLine(body, 0, firstEnd)
  if (firstLine.trim() === '') invalid('Empty envelope: the first line must be the envelope header, e.g. {}')
  const header = parseEnvelopeHeader(firstLine)

  const items: EnvelopeItem[] = []
  const skipped: string[] = []
  let overflow = 0
  let index = 0
  let offset = firstEnd + 1
  while (offset < body.length) {
    const end = lineEnd(body, offset)
    const line = headerLine(body, offset, end)
    if (line.trim() === '') {
      offset = end + 1
      continue
    }
    index++
    const itemHeader = parseItemHeader(line, index)
    const type = itemHeader.type
    const length = itemLength(itemHeader, index)
    const start = Math.min(end + 1, body.length)
    let payloadEnd: number
    if (length === undefined) {
      payloadEnd = lineEnd(body, start)
      offset = payloadEnd + 1
    } else {
      payloadEnd = start + length
      if (payloadEnd > body.length) {
        invalid(
          `Item ${index}: length ${length} runs past the end of the envelope (${body.length - start} bytes ` +
            'left): the length must count the payload in bytes',
        )
      }
      offset = skipPayloadNewline(body, payloadEnd, index, length)
    }

    const size = payloadEnd - start
    if (items.length >= maxItems) overflow++
    else if (size > maxItemBytes) {
      skipped.push(
        `item ${index} (${type}): payload of ${size} bytes exceeds the limit of ${maxItemBytes} bytes`,
      )
    } else items.push({ type, index, header: itemHeader, payload: body.subarray(start, payloadEnd) })
  }
  if (overflow > 0) {
    skipped.push(`${overflow} items after the first ${maxItems}: an envelope holds at most ${maxItems} items`)
  }
  return { header, items, skipped }
}

/** Nesting kept in a JSON payload; deeper values become `"[…]"` / `"{…}"` (serde_json, in Relay, stops at 128). */
export const MAX_JSON_DEPTH = 128

/**
 * The item's payload parsed as JSON, or undefined when it is not valid JSON (the caller skips the item). Values
 * nested deeper than {@link MAX_JSON_DEPTH} are cut: `JSON.parse` takes any depth, but `JSON.stringify` (every
 * store, the HTTP forwarder) overflows the stack at about 10 000 levels.
 */
export function parseJsonPayload(item: Pick<EnvelopeItem, 'payload'>): unknown | undefined {
  let value: unknown
  try {
    value = JSON.parse(item.payload.toString('utf8'))
  } catch {
    return undefined
  }
  return cutDeep(value, 0)
}

/** Replaces, in place, what lies deeper than {@link MAX_JSON_DEPTH}; the recursion never goes deeper than that. */
function cutDeep(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_JSON_DEPTH) return Array.isArray(value) ? '[…]' : '{…}'
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const entry = record[key]
    const cut = cutDeep(entry, depth + 1)
    // defineProperty, not assignment: a key named __proto__ must stay data.
    if (cut !== entry)
      Object.defineProperty(record, key, { value: cut, enumerable: true, writable: true, configurable: true })
  }
  return value
}

/** Writes an envelope, every item with its byte `length`, so payloads may hold newlines and binary data. */
export function serializeEnvelope(
  header: EnvelopeHeader,
  items: readonly { header: { type: string; [key: string]: unknown }; payload: string | Uint8Array }[],
): Buffer {
  const parts: Uint8Array[] = [Buffer.from(JSON.stringify(header))]
  for (const item of items) {
    const payload = typeof item.payload === 'string' ? Buffer.from(item.payload) : item.payload
    parts.push(Buffer.from(`\n${JSON.stringify({ ...item.header, length: payload.length })}\n`), payload)
  }
  return Buffer.concat(parts)
}

function invalid(message: string): never {
  throw new MonlightError('BAD_REQUEST', message)
}

/** Where the line starting at `from` ends: its newline, or the end of the body. */
function lineEnd(body: Buffer, from: number): number {
  const end = body.indexOf(NEWLINE, from)
  return end === -1 ? body.length : end
}

/** A header line as text, without the "\r" of a "\r\n" ending. */
function headerLine(body: Buffer, start: number, end: number): string {
  return body.toString('utf8', start, end > start && body[end - 1] === RETURN ? end - 1 : end)
}

function parseJsonLine(line: string, what: string, example: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    invalid(`${what} is not valid JSON (${reason}): it must be one line of JSON, e.g. ${example}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`${what} must be a JSON object, e.g. ${example}`)
  }
  return value as Record<string, unknown>
}

function parseEnvelopeHeader(line: string): EnvelopeHeader {
  const header = parseJsonLine(line, 'Envelope header', '{}')
  for (const field of ['event_id', 'dsn', 'sent_at']) {
    if (header[field] !== undefined && typeof header[field] !== 'string') {
      invalid(`Envelope header field "${field}" must be a string`)
    }
  }
  const sdk = header.sdk
  if (sdk !== undefined) {
    const valid =
      typeof sdk === 'object' &&
      sdk !== null &&
      !Array.isArray(sdk) &&
      ['name', 'version'].every((field) => {
        const value = (sdk as Record<string, unknown>)[field]
        return value === undefined || typeof value === 'string'
      })
    if (!valid) invalid('Envelope header field "sdk" must be an object like {"name":"…","version":"…"}')
  }
  return header as EnvelopeHeader
}

function parseItemHeader(line: string, index: number): { type: string; [key: string]: unknown } {
  const header = parseJsonLine(line, `Item ${index} header`, EXAMPLE_ITEM)
  if (typeof header.type !== 'string' || header.type === '') {
    invalid(`Item ${index} header has no "type": it must be a non-empty string, e.g. ${EXAMPLE_ITEM}`)
  }
  return header as { type: string }
}

/** The declared payload length; `null` counts as absent, as in Relay. */
function itemLength(header: Record<string, unknown>, index: number): number | undefined {
  const length = header.length
  if (length === undefined || length === null) return undefined
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    // Never JSON.stringify an object here: a deeply nested one overflows the stack.
    const shown =
      typeof length === 'number'
        ? String(length)
        : typeof length === 'object'
          ? Array.isArray(length)
            ? 'an array'
            : 'an object'
          : JSON.stringify(length).slice(0, 40)
    invalid(
      `Item ${index} header has an invalid "length" (${shown}): it must be a non-negative integer count of ` +
        'payload bytes, or be left out',
    )
  }
  return length
}

/**
 * Where the next item starts after a length-delimited payload. The payload must end the body or be followed by
 * a newline ("\r\n" too); anything else means the length does not match the payload.
 */
function skipPayloadNewline(body: Buffer, payloadEnd: number, index: number, length: number): number {
  if (payloadEnd === body.length) return payloadEnd
  if (body[payloadEnd] === NEWLINE) return payloadEnd + 1
  if (body[payloadEnd] === RETURN && (payloadEnd + 1 === body.length || body[payloadEnd + 1] === NEWLINE)) {
    return payloadEnd + 2
  }
  return invalid(
    `Item ${index}: the ${length}-byte payload is not followed by a newline: the length must count the ` +
      'payload in bytes, exactly',
  )
}
