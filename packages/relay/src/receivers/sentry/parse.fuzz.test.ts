import { MonlightError } from '@monlight/core'
import { seededRandom } from '@monlight/test-utils'
import { expect, it } from 'vitest'
import { DEFAULT_ENVELOPE_LIMITS, type EnvelopeLimits, parseEnvelope, serializeEnvelope } from './parse.js'

const ROUNDS = 5000
const SEED = 0x5e17

const EVENT = JSON.stringify({ event_id: 'a'.repeat(32), message: 'héllo 💥\nline two', level: 'error' })
const BINARY = Buffer.from([0x0a, 0x0d, 0x00, 0xff, 0x0a, 0x7b, 0x7d, 0x0a])

/** Valid envelopes to start from: length-delimited, line-delimited, "\r\n" endings, many small items. */
const SEEDS: Buffer[] = [
  serializeEnvelope(
    { event_id: 'a'.repeat(32), sdk: { name: 'sentry.javascript.node', version: '11.12.0' } },
    [
      { header: { type: 'event' }, payload: EVENT },
      { header: { type: 'attachment', filename: 'a.bin' }, payload: BINARY },
      { header: { type: 'client_report' }, payload: '{"discarded_events":[]}' },
    ],
  ),
  Buffer.from(
    `{"dsn":"https://k@h/1"}\n{"type":"event"}\n${EVENT.replace('\n', '\\n')}\n{"type":"log"}\n{"items":[]}\n`,
  ),
  Buffer.from('{}\r\n{"type":"event"}\r\n{"a":1}\r\n{"type":"session","length":2}\r\nhi\r\n'),
  Buffer.from(`{}${'\n{"type":"span","length":0}\n'.repeat(4)}\n{"type":"x"}`),
  Buffer.from('{}'),
]

const JSON_VALUES = [
  '{}',
  '[]',
  'null',
  '"event"',
  '7',
  '{"type":"event"}',
  '{"type":1}',
  '{"length":3}',
  '{"type":"a","length":-1}',
  '{"type":"a","length":1e400}',
  '{"type":"a","length":99999999999999999999}',
  '{"type":"a","length":"3"}',
  '{"type":"a","length":null}',
  '{"type":"a","length":2.5}',
  '{"type":"__proto__","length":1}',
  '{"type":"a",',
  '{"\\ud800":"\\udfff"}',
]

function mutate(body: Buffer, random: () => number): Buffer {
  const int = (n: number) => Math.floor(random() * n)
  const at = () => int(body.length + 1)
  const bytes = [...body]
  switch (int(7)) {
    case 0: // byte flips
      for (let i = int(4) + 1; i > 0 && bytes.length > 0; i--) bytes[int(bytes.length)] = int(256)
      return Buffer.from(bytes)
    case 1: // truncation
      return body.subarray(0, at())
    case 2: // inserted newlines or carriage returns
      for (let i = int(3) + 1; i > 0; i--) bytes.splice(at(), 0, random() < 0.7 ? 0x0a : 0x0d)
      return Buffer.from(bytes)
    case 3: {
      // random length values
      const lengths = [
        '0',
        '1',
        '2',
        '7',
        '8',
        '100',
        '-1',
        '1.5',
        '1e3',
        '"4"',
        'null',
        '9007199254740993',
        '[]',
      ]
      return Buffer.from(
        body
          .toString('latin1')
          .replace(/"length":-?[\d.e]+/g, () => `"length":${lengths[int(lengths.length)]}`),
        'latin1',
      )
    }
    case 4: {
      // a random JSON header line where a line starts
      const starts = [0, ...bytes.flatMap((byte, i) => (byte === 0x0a ? [i + 1] : []))]
      bytes.splice(
        starts[int(starts.length)]!,
        0,
        ...Buffer.from(`${JSON_VALUES[int(JSON_VALUES.length)]}\n`),
      )
      return Buffer.from(bytes)
    }
    case 5: // random bytes inserted
      bytes.splice(at(), 0, ...Array.from({ length: int(8) + 1 }, () => int(256)))
      return Buffer.from(bytes)
    default: // random bytes, biased toward the framing characters
      return Buffer.from(
        Array.from({ length: int(64) }, () => '{}"\n\r:0tylength,'.charCodeAt(int(24)) || int(256)),
      )
  }
}

function randomLimits(random: () => number): Partial<EnvelopeLimits> {
  if (random() < 0.5) return {}
  return { maxItems: 1 + Math.floor(random() * 4), maxItemBytes: Math.floor(random() * 40) }
}

it('hostile envelopes parse within bounds or fail with a 400, never anything else', () => {
  const random = seededRandom(SEED)
  const started = performance.now()
  let parsed = 0
  let skipping = 0
  for (let round = 0; round < ROUNDS; round++) {
    let body = SEEDS[round % SEEDS.length]!
    // Mostly one mutation, so that many bodies still parse and reach the limits.
    for (let i = random() < 0.7 ? 1 : 2; i > 0; i--) body = mutate(body, random)
    const limits = randomLimits(random)
    const maxItems = limits.maxItems ?? DEFAULT_ENVELOPE_LIMITS.maxItems
    const maxItemBytes = limits.maxItemBytes ?? DEFAULT_ENVELOPE_LIMITS.maxItemBytes
    const replay = `round ${round} (seed ${SEED}), body ${JSON.stringify(body.toString('latin1'))}`
    try {
      const envelope = parseEnvelope(body, limits)
      parsed++
      expect(typeof envelope.header === 'object' && !Array.isArray(envelope.header), replay).toBe(true)
      expect(envelope.items.length, replay).toBeLessThanOrEqual(maxItems)
      for (const item of envelope.items) {
        expect(item.type, replay).toMatch(/.+/)
        expect(item.header.type, replay).toBe(item.type)
        expect(item.payload.length, replay).toBeLessThanOrEqual(maxItemBytes)
        // The payload is a view inside the body.
        expect(item.payload.buffer, replay).toBe(body.buffer)
        expect(item.payload.byteOffset, replay).toBeGreaterThanOrEqual(body.byteOffset)
        expect(item.payload.byteOffset + item.payload.length, replay).toBeLessThanOrEqual(
          body.byteOffset + body.length,
        )
      }
      for (const reason of envelope.skipped) expect(typeof reason, replay).toBe('string')
      if (envelope.skipped.length > 0) skipping++
    } catch (error) {
      if (!MonlightError.is(error) || error.status !== 400)
        throw new Error(`${replay}: ${error}`, { cause: error })
    }
  }
  // Every outcome must be exercised, or the mutations are too tame or too wild.
  expect(parsed).toBeGreaterThan(ROUNDS / 10)
  expect(parsed).toBeLessThan(ROUNDS)
  expect(skipping).toBeGreaterThan(ROUNDS / 50)
  expect(performance.now() - started).toBeLessThan(3000)
})

it('unmutated seeds parse to their items', () => {
  for (const body of SEEDS) expect(() => parseEnvelope(body)).not.toThrow()
  const envelope = parseEnvelope(SEEDS[0]!)
  expect(envelope.items.map((item) => item.type)).toEqual(['event', 'attachment', 'client_report'])
  expect(envelope.items[1]!.payload).toEqual(BINARY)
})
