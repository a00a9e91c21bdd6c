import { randomBytes } from 'node:crypto'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describeAdapters } from '@monlight/test-utils'
import { expect, it } from 'vitest'
import { readBytes, readJson, readText } from './body.js'
import { createModuleApp, routeMeta } from './module-app.js'

const LIMIT = 4096
const BOMB_LIMIT = 2 * 1024 * 1024

function createBodyApp() {
  const app = createModuleApp({ name: 'body', auth: false, bodyLimit: LIMIT })
  app.post('/bytes', async (event) => ({ hex: (await readBytes(event)).toString('hex') }))
  app.post('/text', async (event) => ({ text: await readText(event) }))
  app.post('/json', async (event) => ({ json: await readJson(event) }))
  app.post(
    '/bomb',
    async (event) => {
      const decodedLimit = Number(new URL(event.req.url).searchParams.get('decoded') ?? BOMB_LIMIT)
      return { size: (await readBytes(event, { decodedLimit })).length }
    },
    routeMeta({ bodyLimit: BOMB_LIMIT }),
  )
  app.post('/twice', async (event) => {
    await readText(event)
    return readBytes(event)
  })
  return app
}

type Body = RequestInit['body']

function post(body: Body, encoding?: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    body,
    headers: { ...headers, ...(encoding === undefined ? {} : { 'content-encoding': encoding }) },
  }
}

/** A body without Content-Length, sent chunked in `size`-byte pieces. */
function chunked(bytes: Uint8Array, size: number): Body {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size))
      controller.close()
    },
  })
  return stream
}

/** The JSON error body. */
async function failure(res: Response): Promise<{ detail: string; code: string }> {
  return (await res.json()) as { detail: string; code: string }
}

function withDuplex(init: RequestInit): RequestInit {
  return { ...init, duplex: 'half' } as RequestInit
}

// Every byte value, and newlines, so nothing is decoded as text on the way.
const BINARY = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7) % 256))
const TEXT = '{"message":"héllo wörld 💥","n":[1,2,3]}'.repeat(10)

const ENCODERS: [string, (bytes: Buffer) => Buffer][] = [
  ['gzip', (bytes) => gzipSync(bytes)],
  ['x-gzip', (bytes) => gzipSync(bytes)],
  ['deflate', (bytes) => deflateSync(bytes)],
  ['deflate', (bytes) => deflateRawSync(bytes)],
  ['br', (bytes) => brotliCompressSync(bytes)],
  ['identity', (bytes) => bytes],
]

describeAdapters('compressed request bodies', createBodyApp, (t) => {
  it.each(ENCODERS)('decodes %s (bytes, text and JSON)', async (encoding, encode) => {
    const bytes = await t.fetch('/bytes', post(encode(BINARY), encoding))
    expect(bytes.status).toBe(200)
    expect(await bytes.json()).toEqual({ hex: BINARY.toString('hex') })

    const text = await t.fetch('/text', post(encode(Buffer.from(TEXT)), encoding.toUpperCase()))
    expect(await text.json()).toEqual({ text: TEXT })

    const json = await t.fetch('/json', post(encode(Buffer.from('{"a":["é",1]}')), encoding))
    expect(await json.json()).toEqual({ json: { a: ['é', 1] } })
  })

  it('decodes a chunked compressed body, however it is split', async () => {
    const compressed = gzipSync(Buffer.from(TEXT))
    for (const size of [1, 7, 1000]) {
      const res = await t.fetch('/text', withDuplex(post(chunked(compressed, size), 'gzip')))
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ text: TEXT })
    }
    // Raw deflate split before its second byte still takes the raw path.
    const raw = await t.fetch('/bytes', withDuplex(post(chunked(deflateRawSync(BINARY), 1), 'deflate')))
    expect(await raw.json()).toEqual({ hex: BINARY.toString('hex') })
  })

  it('reads an empty body as empty, whatever its encoding', async () => {
    for (const encoding of [undefined, 'gzip', 'br', 'deflate']) {
      const res = await t.fetch('/bytes', post('', encoding))
      expect(await res.json()).toEqual({ hex: '' })
    }
  })

  it('ignores identity in an encoding list', async () => {
    const res = await t.fetch('/text', post(gzipSync(Buffer.from(TEXT)), 'identity, gzip'))
    expect(await res.json()).toEqual({ text: TEXT })
  })

  it('refuses a compression bomb at the decoded limit without buffering it', async () => {
    // 64 gzip members of 16 MiB of zeros: 1 GiB decoded from about 1 MB on the wire.
    const bomb = Buffer.concat(Array(64).fill(gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 })))
    expect(bomb.length).toBeLessThan(BOMB_LIMIT)
    for (const decoded of [BOMB_LIMIT, 64 * 1024 * 1024]) {
      const started = performance.now()
      const res = await t.fetch(`/bomb?decoded=${decoded}`, post(bomb, 'gzip'))
      expect(res.status).toBe(413)
      expect(await res.json()).toEqual({
        detail: `Decompressed request body exceeds maximum size of ${decoded} bytes`,
        code: 'PAYLOAD_TOO_LARGE',
        limit: decoded,
      })
      expect(performance.now() - started).toBeLessThan(5000)
    }
  })

  it('limits the decoded size to the body limit by default', async () => {
    const big = gzipSync(Buffer.from('x'.repeat(LIMIT + 1)))
    expect(big.length).toBeLessThan(LIMIT)
    const res = await t.fetch('/text', post(big, 'gzip'))
    expect(res.status).toBe(413)
    expect((await failure(res)).detail).toBe(
      `Decompressed request body exceeds maximum size of ${LIMIT} bytes`,
    )
    const fits = await t.fetch('/text', post(gzipSync(Buffer.from('x'.repeat(LIMIT))), 'gzip'))
    expect(fits.status).toBe(200)
  })

  it('limits the bytes on the wire, declared or chunked', async () => {
    const incompressible = gzipSync(randomBytes(LIMIT * 2))
    expect(incompressible.length).toBeGreaterThan(LIMIT)
    const declared = await t.fetch('/bytes', post(incompressible, 'gzip'))
    expect(declared.status).toBe(413)
    expect(await declared.json()).toEqual({
      detail: 'Request body exceeds maximum size',
      code: 'PAYLOAD_TOO_LARGE',
      limit: LIMIT,
    })
    const follow = () => t.fetch('/bytes', post(gzipSync(BINARY), 'gzip'))
    expect((await follow()).status).toBe(200)
    const streamed = await t.fetch('/bytes', withDuplex(post(chunked(incompressible, 512), 'gzip')))
    expect(streamed.status).toBe(413)
    // The cut-off body leaves its connection unusable, so the 413 closes it; later requests must not stall on it.
    for (let i = 0; i < 3; i++) expect((await follow()).status).toBe(200)
  })

  it('answers corrupt or truncated data with a 400 naming the encoding', async () => {
    const cases: [string, Buffer, RegExp][] = [
      [
        'gzip',
        Buffer.from('not gzip at all'),
        /^Request body is not valid gzip data: incorrect header check$/,
      ],
      [
        'gzip',
        gzipSync(Buffer.from(TEXT)).subarray(0, 30),
        /^Request body is not valid gzip data: unexpected end/,
      ],
      ['deflate', Buffer.from([0xff, 0xff, 0xff]), /^Request body is not valid deflate data: /],
      ['br', Buffer.from('definitely not brotli'), /^Request body is not valid brotli data: /],
    ]
    for (const [encoding, body, detail] of cases) {
      const res = await t.fetch('/text', post(body, encoding))
      expect(res.status).toBe(400)
      const answer = await failure(res)
      expect(answer.code).toBe('BAD_REQUEST')
      expect(answer.detail).toMatch(detail)
    }
  })

  it('refuses an unknown or stacked encoding with 415', async () => {
    for (const encoding of ['zstd', 'compress', 'constructor', 'gzip, br']) {
      const res = await t.fetch('/bytes', post('abc', encoding))
      expect(res.status).toBe(415)
      const answer = await failure(res)
      expect(answer.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      expect(answer.detail).toMatch(
        new RegExp(`^Content-Encoding '${encoding}' is not supported: use .*gzip`),
      )
    }
  })

  it('still names a body that was already read', async () => {
    const res = await t.fetch('/twice', post(gzipSync(Buffer.from('x')), 'gzip'))
    expect(res.status).toBe(500)
    expect((await failure(res)).code).toBe('BODY_ALREADY_READ')
  })
})
