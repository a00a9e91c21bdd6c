import { gzipSync } from 'node:zlib'
import { seededRandom, until } from '@monlight/test-utils'
import pino from 'pino'
import pinoLoki from 'pino-loki'
import protobuf from 'protobufjs'
import { compressSync } from 'snappy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import winston from 'winston'
import LokiTransport from 'winston-loki'
import { type SeenRequest, serveRelayWithStores } from '../../__fixtures__/harness.js'

// pino-loki (JSON) and winston-loki (snappy protobuf, and JSON) pushing through the relay into the real log store.
const KEY = 'loki-test-api-key'
let stack: Awaited<ReturnType<typeof serveRelayWithStores>>
let base: string
let logs: typeof stack.logs
let requests: SeenRequest[]

beforeAll(async () => {
  stack = await serveRelayWithStores(KEY)
  ;({ base, logs, requests } = stack)
})

afterAll(() => stack.close())

const entriesOf = (container: string, count: number) =>
  until(
    () => logs.service.query({ container }),
    (page) => page.logs.length >= count,
  ).then((page) => page.logs)

describe('Loki clients', () => {
  it('pino + pino-loki (basic auth): lines with their level, labels and pino fields', async () => {
    const logger = pino(
      { level: 'debug' },
      pinoLoki({
        host: base,
        basicAuth: { username: 'monlight', password: KEY },
        batching: false,
        labels: { application: 'shop', env: 'test' },
      }),
    )
    logger.info({ order: 42 }, 'order placed')
    logger.error(new Error('card declined'), 'payment failed')
    const lines = await entriesOf('shop', 2)
    // pino's JSON line: its `msg` is the message, its other fields are attributes beside the labels.
    expect(lines.find((entry) => entry.message === 'order placed')).toMatchObject({
      level: 'INFO',
      attributes: { application: 'shop', env: 'test', order: 42, pid: process.pid },
    })
    expect(lines.find((entry) => entry.message === 'payment failed')).toMatchObject({
      level: 'ERROR',
      attributes: { err: { type: 'Error', message: 'card declined' } },
    })
    const found = await logs.service.query({ search: 'attr.order:42 service:shop' })
    expect(found.logs.map((entry) => entry.message)).toEqual(['order placed'])
    expect(requests.some((r) => r.type.startsWith('application/json') && r.status === 204)).toBe(true)
  })

  it('winston + winston-loki, in its default snappy protobuf and in JSON', async () => {
    for (const json of [false, true]) {
      const app = `billing-${json ? 'json' : 'proto'}`
      const transport = new LokiTransport({
        host: base,
        basicAuth: `monlight:${KEY}`,
        labels: { app },
        json,
        batching: false,
        onConnectionError: (error: unknown) => {
          throw error
        },
      })
      const logger = winston.createLogger({ transports: [transport] })
      logger.warn('invoice overdue', { invoice: 'INV-7' })
      logger.info('invoice sent')
      const lines = await entriesOf(app, 2)
      expect(lines.find((entry) => entry.message.includes('invoice overdue'))).toMatchObject({
        level: 'WARNING',
        attributes: { app, level: 'warn' },
      })
      logger.close()
    }
    expect(requests.some((r) => r.type === 'application/x-protobuf' && r.status === 204)).toBe(true)
  })
})

const post = (
  body: BodyInit | Uint8Array,
  headers: Record<string, string> = {},
  path = '/loki/api/v1/push',
) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: body as BodyInit,
  })
const push = (values: unknown[], stream: Record<string, string> = { job: 'edge' }) =>
  JSON.stringify({ streams: [{ stream, values }] })
const nowNs = () => `${Date.now()}000000`

describe('Loki push answers', () => {
  it('204 for JSON, gzip, the legacy path and an empty push; metadata kept, level from a label', async () => {
    expect((await post(push([[nowNs(), 'first', { trace_id: 'abc' }]]))).status).toBe(204)
    const gz = await post(gzipSync(push([[nowNs(), 'second']], { job: 'edge', detected_level: 'error' })), {
      'content-encoding': 'gzip',
    })
    expect(gz.status).toBe(204)
    expect((await post(push([[nowNs(), 'third']]), {}, '/api/prom/push')).status).toBe(204)
    expect((await post('{"streams":[]}')).status).toBe(204)
    const lines = await entriesOf('edge', 3)
    expect(lines.find((entry) => entry.message === 'first')?.attributes).toEqual({
      job: 'edge',
      trace_id: 'abc',
    })
    expect(lines.find((entry) => entry.message === 'second')?.level).toBe('ERROR')
  })

  it('400s that say what to fix; the good entries of a push are kept', async () => {
    const numeric = await post(JSON.stringify({ streams: [{ stream: {}, values: [[1700000000, 'x']] }] }))
    expect(numeric.status).toBe(400)
    expect((await numeric.json()).detail).toMatch(/timestamp must be a string of unix epoch nanoseconds/)
    expect((await post('{"streams": 1}')).status).toBe(400)
    expect((await post('nope')).status).toBe(400)
    expect((await post('x', { 'content-type': 'text/plain' })).status).toBe(415)
    const proto = { 'content-type': 'application/x-protobuf' }
    expect((await post(new Uint8Array([1, 2, 3, 4]), proto)).status).toBe(400)
    expect((await post(compressSync(Buffer.from([0x0a, 0xff, 0xff])), proto)).status).toBe(400)
    // A small body that declares 1 GiB once decompressed: refused before anything is decompressed.
    const bomb = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00])
    expect((await post(bomb, proto)).status).toBe(413)

    const future = `${Date.now() + 3 * 86_400_000}000000`
    const mixed = await post(
      push(
        [
          [nowNs(), 'kept line'],
          [future, 'future line'],
        ],
        { job: 'mixed' },
      ),
    )
    expect(mixed.status).toBe(400)
    expect((await mixed.json()).detail).toMatch(
      /1 records refused: a time more than a day ahead \(the other 1 were kept\)/,
    )
    expect((await entriesOf('mixed', 1)).map((entry) => entry.message)).toEqual(['kept line'])
  })

  it('reads the label text of protobuf streams with escapes, and refuses broken label text', async () => {
    const type = protobuf
      .parse(`syntax = "proto3"; package p;
        message PushRequest { repeated Stream streams = 1; }
        message Stream { string labels = 1; repeated Entry entries = 2; }
        message Entry { Timestamp timestamp = 1; string line = 2; }
        message Timestamp { int64 seconds = 1; int32 nanos = 2; }`)
      .root.lookupType('p.PushRequest')
    const body = (labels: string) =>
      compressSync(
        Buffer.from(
          type
            .encode({
              streams: [
                {
                  labels,
                  entries: [{ timestamp: { seconds: Math.floor(Date.now() / 1000) }, line: 'escaped' }],
                },
              ],
            })
            .finish(),
        ),
      )
    const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }
    expect((await post(body('{job="quoted", path="a \\"b\\" \\\\ c"}'), headers)).status).toBe(204)
    const [line] = await entriesOf('quoted', 1)
    expect(line!.attributes).toEqual({ job: 'quoted', path: 'a "b" \\ c' })
    const broken = await post(body('{job=unquoted}'), headers)
    expect(broken.status).toBe(400)
    expect((await broken.json()).detail).toMatch(/expected name="value"/)
  })

  it(`never answers 5xx to mutated pushes (seed ${process.env.MONLIGHT_FUZZ_SEED ?? 'random'})`, async () => {
    const seed = Number(process.env.MONLIGHT_FUZZ_SEED ?? Date.now() % 1_000_000)
    const random = seededRandom(seed)
    const text = push([[nowNs(), 'fuzz', { k: 'v' }]], { job: 'fuzz', level: 'info' })
    const junk = ['null', '-1', '1e309', '""', '[]', '{}', '"\\u0000"', 'true', '"99999999999999999999999"']
    for (let round = 0; round < 150; round++) {
      const values = [...text.matchAll(/"[^"]*"|\{\}|\[\]/g)]
      const target = values[Math.floor(random() * values.length)]!
      const body =
        random() < 0.8
          ? text.slice(0, target.index!) +
            junk[Math.floor(random() * junk.length)] +
            text.slice(target.index! + target[0].length)
          : text.slice(0, Math.floor(random() * text.length))
      const res = await post(body)
      expect(res.status, `seed ${seed} round ${round}: ${body}`).toBeLessThan(500)
    }
  })
})
