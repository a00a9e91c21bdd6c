import { MonlightError } from '@monlight/core'
import { describe, expect, it } from 'vitest'
import { type Envelope, parseEnvelope, parseJsonPayload, serializeEnvelope } from './parse.js'

const EVENT_ID = '9ec79c33ec9942ab8353589fcb2e04dc'
const HEADER = {
  event_id: EVENT_ID,
  sent_at: '2025-01-20T10:00:00.000Z',
  sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
}
const EVENT = { event_id: EVENT_ID, level: 'error' as const, message: 'héllo 💥', timestamp: 1737367200.5 }

const envelope = (...lines: (string | Buffer)[]): Buffer =>
  Buffer.concat(lines.map((line) => (typeof line === 'string' ? Buffer.from(line) : line)))

/** The 400 that `parseEnvelope(body)` throws, for its message. */
function rejection(body: Buffer | string, limits?: Parameters<typeof parseEnvelope>[1]): MonlightError {
  try {
    parseEnvelope(typeof body === 'string' ? Buffer.from(body) : body, limits)
  } catch (error) {
    if (MonlightError.is(error)) return error
    throw error
  }
  throw new Error('expected parseEnvelope to throw')
}

const payloads = (parsed: Envelope) => parsed.items.map((item) => item.payload.toString('latin1'))

describe('parseEnvelope', () => {
  it('reads an event envelope as @sentry/core writes it: JSON items without length', () => {
    const body = `${JSON.stringify(HEADER)}\n{"type":"event"}\n${JSON.stringify(EVENT)}`
    const parsed = parseEnvelope(Buffer.from(body))
    expect(parsed.header).toEqual(HEADER)
    expect(parsed.skipped).toEqual([])
    expect(parsed.items).toHaveLength(1)
    expect(parsed.items[0]!.type).toBe('event')
    expect(parsed.items[0]!.header).toEqual({ type: 'event' })
    expect(parseJsonPayload(parsed.items[0]!)).toEqual(EVENT)
  })

  it('counts length in bytes, not characters', () => {
    const payload = JSON.stringify(EVENT)
    const bytes = Buffer.byteLength(payload)
    expect(bytes).toBeGreaterThan(payload.length)
    const parsed = parseEnvelope(Buffer.from(`{}\n{"type":"event","length":${bytes}}\n${payload}\n`))
    expect(parsed.items[0]!.payload.toString('utf8')).toBe(payload)
    expect(parsed.items[0]!.header).toEqual({ type: 'event', length: bytes })
  })

  it('reads a multi-item envelope with a binary attachment holding newlines', () => {
    const binary = Buffer.from([0x00, 0x0a, 0x0d, 0x0a, 0xff, 0xfe, 0x0a])
    const report =
      '{"timestamp":1737367200,"discarded_events":[{"reason":"queue_overflow","category":"error","quantity":2}]}'
    const body = envelope(
      `${JSON.stringify(HEADER)}\n`,
      `{"type":"event"}\n${JSON.stringify(EVENT)}\n`,
      `{"type":"attachment","length":${binary.length},"filename":"core.bin","content_type":"application/octet-stream"}\n`,
      binary,
      `\n{"type":"client_report"}\n${report}`,
    )
    const parsed = parseEnvelope(body)
    expect(parsed.items.map((item) => item.type)).toEqual(['event', 'attachment', 'client_report'])
    expect(parsed.items[1]!.payload).toEqual(binary)
    expect(parsed.items[1]!.header.filename).toBe('core.bin')
    expect(parseJsonPayload(parsed.items[2]!)).toMatchObject({ discarded_events: [{ quantity: 2 }] })
  })

  it('tolerates "\\r\\n" after header lines but keeps "\\r" in payloads', () => {
    const body = '{}\r\n{"type":"event"}\r\n{"a":1}\r\n{"type":"attachment","length":3}\r\na\rb\r\n'
    const parsed = parseEnvelope(Buffer.from(body))
    expect(payloads(parsed)).toEqual(['{"a":1}\r', 'a\rb'])
    expect(parseJsonPayload(parsed.items[0]!)).toEqual({ a: 1 })
  })

  it('reads the same items with or without a trailing newline', () => {
    const body = '{}\n{"type":"event"}\n{"a":1}\n{"type":"session","length":2}\nhi'
    for (const ending of ['', '\n', '\n\n', '\r\n']) {
      expect(payloads(parseEnvelope(Buffer.from(body + ending)))).toEqual(['{"a":1}', 'hi'])
    }
    // A line-delimited last payload keeps a lone "\r" at the end: it is payload, not line ending.
    expect(payloads(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n{}\r')))).toEqual(['{}\r'])
  })

  it('reads an envelope with no items', () => {
    for (const body of ['{}', '{}\n', '{}\n\n\r\n', `${JSON.stringify(HEADER)}\n`]) {
      const parsed = parseEnvelope(Buffer.from(body))
      expect(parsed.items).toEqual([])
      expect(parsed.skipped).toEqual([])
    }
  })

  it('reads empty payloads: length 0, no payload line, a null length', () => {
    const body =
      '{}\n{"type":"a","length":0}\n\n{"type":"b"}\n\n{"type":"c","length":null}\nx\n{"type":"d","length":0}'
    const parsed = parseEnvelope(Buffer.from(body))
    expect(parsed.items.map((item) => [item.type, item.payload.toString()])).toEqual([
      ['a', ''],
      ['b', ''],
      ['c', 'x'],
      ['d', ''],
    ])
  })

  it('skips an oversized item and says why, keeping the rest', () => {
    const body =
      '{}\n{"type":"event"}\n{"small":1}\n{"type":"attachment","length":20}\n01234567890123456789\n{"type":"log"}\n{}'
    const parsed = parseEnvelope(Buffer.from(body), { maxItemBytes: 12 })
    expect(parsed.items.map((item) => item.type)).toEqual(['event', 'log'])
    expect(parsed.skipped).toEqual(['item 2 (attachment): payload of 20 bytes exceeds the limit of 12 bytes'])
  })

  it('keeps the first maxItems items and counts the rest in one skipped entry', () => {
    const body = `{}${'\n{"type":"event"}\n{}'.repeat(5)}`
    const parsed = parseEnvelope(Buffer.from(body), { maxItems: 2 })
    expect(parsed.items).toHaveLength(2)
    expect(parsed.skipped).toEqual(['3 items after the first 2: an envelope holds at most 2 items'])
  })

  it('refuses an envelope over maxEnvelopeBytes with 413', () => {
    const error = rejection('{}\n{"type":"event"}\n{}', { maxEnvelopeBytes: 10 })
    expect(error.status).toBe(413)
    expect(error.message).toBe('Envelope of 22 bytes exceeds the maximum size of 10 bytes')
  })

  it('refuses an empty body or a bad envelope header with 400', () => {
    for (const body of ['', '\n', '\r\n{"type":"event"}\n{}']) {
      const error = rejection(body)
      expect(error.status).toBe(400)
      expect(error.message).toBe('Empty envelope: the first line must be the envelope header, e.g. {}')
    }
    expect(rejection('{"type":"event"\n{}').message).toMatch(
      /^Envelope header is not valid JSON \(.*\): it must/,
    )
    for (const header of ['[]', '"x"', '5', 'null']) {
      expect(rejection(`${header}\n{"type":"event"}\n{}`).message).toBe(
        'Envelope header must be a JSON object, e.g. {}',
      )
    }
    expect(rejection('{"event_id":5}').message).toBe('Envelope header field "event_id" must be a string')
    expect(rejection('{"sdk":"node"}').message).toMatch(/^Envelope header field "sdk" must be an object/)
  })

  it('refuses a broken item header with 400 naming the item', () => {
    const cases: [string, RegExp][] = [
      [
        '{"type":"event"}\n{}\n{type:event}\n{}',
        /^Item 2 header is not valid JSON \(.*\): it must be one line/,
      ],
      ['["event"]\n{}', /^Item 1 header must be a JSON object, e.g. {"type":"event"}$/],
      ['{"length":2}\n{}', /^Item 1 header has no "type": it must be a non-empty string/],
      ['{"type":""}\n{}', /^Item 1 header has no "type"/],
      ['{"type":7}\n{}', /^Item 1 header has no "type"/],
      [
        '{"type":"a","length":-1}\n',
        /^Item 1 header has an invalid "length" \(-1\): it must be a non-negative/,
      ],
      ['{"type":"a","length":1.5}\nab', /^Item 1 header has an invalid "length" \(1.5\)/],
      ['{"type":"a","length":"2"}\nab', /^Item 1 header has an invalid "length" \("2"\)/],
    ]
    for (const [items, message] of cases) {
      const error = rejection(`{}\n${items}`)
      expect(error.status).toBe(400)
      expect(error.message).toMatch(message)
    }
  })

  it('refuses a lying length with 400: too long or too short', () => {
    const tooLong = rejection('{}\n{"type":"attachment","length":500}\nshort payload')
    expect(tooLong.status).toBe(400)
    expect(tooLong.message).toBe(
      'Item 1: length 500 runs past the end of the envelope (13 bytes left): the length must count the payload in bytes',
    )
    // A character count where bytes are meant: "é" is two bytes.
    const tooShort = rejection('{}\n{"type":"event","length":11}\n{"m":"été"}\n')
    expect(tooShort.message).toBe(
      'Item 1: the 11-byte payload is not followed by a newline: the length must count the payload in bytes, exactly',
    )
  })

  it('decodes invalid UTF-8 in a header without throwing anything but a MonlightError', () => {
    const parsed = parseEnvelope(envelope('{"x":"', Buffer.from([0xff, 0xc3]), '"}\n{"type":"event"}\n{}'))
    expect(parsed.header.x).toBe('\ufffd\ufffd')
    const error = rejection(envelope('{}\n{', Buffer.from([0xff]), '}\n{}'))
    expect(error.message).toMatch(/^Item 1 header is not valid JSON/)
  })
})

describe('parseJsonPayload', () => {
  it('parses a JSON payload and answers undefined for anything else', () => {
    const [json, text, empty] = parseEnvelope(
      Buffer.from('{}\n{"type":"a"}\n[1,{"b":null}]\n{"type":"b"}\nnope\n{"type":"c"}\n'),
    ).items
    expect(parseJsonPayload(json!)).toEqual([1, { b: null }])
    expect(parseJsonPayload(text!)).toBeUndefined()
    expect(parseJsonPayload(empty!)).toBeUndefined()
  })
})

describe('serializeEnvelope', () => {
  it('writes every item with its byte length, so binary and newlines survive a round trip', () => {
    const binary = Buffer.from([0x0a, 0x00, 0x0a, 0xff])
    const body = serializeEnvelope(HEADER, [
      { header: { type: 'event' }, payload: JSON.stringify(EVENT) },
      { header: { type: 'attachment', filename: 'a.bin', length: 999 }, payload: binary },
    ])
    const lines = body.toString('latin1').split('\n')
    expect(JSON.parse(lines[1]!)).toEqual({ type: 'event', length: Buffer.byteLength(JSON.stringify(EVENT)) })
    expect(JSON.parse(lines[3]!)).toEqual({ type: 'attachment', filename: 'a.bin', length: 4 })

    const parsed = parseEnvelope(body)
    expect(parsed.header).toEqual(HEADER)
    expect(parseJsonPayload(parsed.items[0]!)).toEqual(EVENT)
    expect(parsed.items[1]!.payload).toEqual(binary)
  })
})

// The real client's serializer. @sentry/core arrives with @sentry/node, a devDependency of this package.
const SENTRY_CORE = '@sentry/core'
const sentry = (await import(/* @vite-ignore */ SENTRY_CORE).catch(() => undefined)) as
  | typeof import('@sentry/core')
  | undefined

describe('envelopes from @sentry/core', () => {
  it.skipIf(sentry === undefined)('parses what createEnvelope + serializeEnvelope write', () => {
    const core = sentry!
    const dsn = core.makeDsn('https://0123456789abcdef0123456789abcdef@monlight.test/42')!
    const event = core.createEventEnvelope(
      { ...EVENT, exception: { values: [{ type: 'Error', value: 'x\ny' }] } },
      dsn,
      {
        sdk: HEADER.sdk,
      },
    )
    const binary = new Uint8Array([0x0a, 0x0d, 0x0a, 0x00, 0xff])
    const attachment = core.createAttachmentEnvelopeItem({ filename: 'dump.bin', data: binary })
    const report = core.createClientReportEnvelope([
      { reason: 'queue_overflow', category: 'error', quantity: 3 },
    ])
    const items = [...event[1], attachment, ...report[1]] as Parameters<typeof core.createEnvelope>[1]
    const full = core.createEnvelope(event[0], items)
    const written = core.serializeEnvelope(full)
    const body = Buffer.from(typeof written === 'string' ? Buffer.from(written) : written)

    const parsed = parseEnvelope(body)
    expect(parsed.header.event_id).toBe(EVENT_ID)
    expect(parsed.header.sdk).toEqual(HEADER.sdk)
    expect(parsed.items.map((item) => item.type)).toEqual(['event', 'attachment', 'client_report'])
    expect(parseJsonPayload(parsed.items[0]!)).toMatchObject({ message: EVENT.message })
    expect(new Uint8Array(parsed.items[1]!.payload)).toEqual(binary)
    expect(parseJsonPayload(parsed.items[2]!)).toMatchObject({ discarded_events: [{ quantity: 3 }] })
  })

  it.skipIf(sentry === undefined)('writes what @sentry/core parseEnvelope reads', () => {
    const binary = new Uint8Array([0x0a, 0xff, 0x0a])
    const body = serializeEnvelope(HEADER, [
      { header: { type: 'event' }, payload: JSON.stringify(EVENT) },
      { header: { type: 'attachment', filename: 'b.bin' }, payload: binary },
    ])
    const [header, items] = sentry!.parseEnvelope(body)
    expect(header).toEqual(HEADER)
    // With a length, @sentry/core hands the payload over as bytes.
    expect(JSON.parse(Buffer.from(items[0]![1] as Uint8Array).toString('utf8'))).toEqual(EVENT)
    expect(new Uint8Array(items[1]![1] as Uint8Array)).toEqual(binary)
  })
})
