import type { IncomingMessage } from 'node:http'
import type { Transform } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib'
import type { H3Event } from 'h3'
import type * as z from 'zod'
import { MonlightError } from '../errors.js'
import { getRequestState } from './request-state.js'
import { parseInput } from './validate.js'

/** Limits for a body read: `limit` on the bytes on the wire, `decodedLimit` on the bytes after decompression. */
export interface BodyLimits {
  /** Bytes on the wire; default the route's (or app's) body limit. */
  limit?: number
  /** Bytes after Content-Encoding is undone; default the wire limit, so compression never admits a larger body. */
  decodedLimit?: number
  /**
   * `Content-Encoding: snappy` is accepted and the bytes are returned as sent: Prometheus remote_write and Loki
   * clients label their snappy-framed protobuf so, and the receiver undoes it (with its own size check).
   */
  snappy?: boolean
}

/** The 413 for a body over the limit, with upstream's wording. */
export function payloadTooLarge(limit: number, headers?: Record<string, string>): MonlightError {
  return new MonlightError('PAYLOAD_TOO_LARGE', 'Request body exceeds maximum size', {
    body: { limit },
    headers,
  })
}

/**
 * The request's declared Content-Length, after checking it against `limit` (413 when over). `null` when the
 * body has no declared length (chunked or none).
 */
export function checkDeclaredLength(event: H3Event, limit: number): string | null {
  const declared = event.req.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw payloadTooLarge(limit)
  return declared
}

/**
 * Reads the request body as text, enforcing the body limit of the route (or app). A declared Content-Length
 * is checked before reading; a body without one (chunked) is counted while it streams and cut off at the limit.
 * A compressed body (Content-Encoding) is decoded first, see {@link readBytes}.
 */
export function readText(event: H3Event, options: BodyLimits = {}): Promise<string> {
  if (hasContentEncoding(event)) return readBytes(event, options).then(decodeUtf8)
  const limit = options.limit ?? getRequestState(event).bodyLimit
  let declared: string | null
  try {
    if (bodyAlreadyRead(event)) throw bodyAlreadyReadError()
    declared = checkDeclaredLength(event, limit)
  } catch (error) {
    return Promise.reject(error)
  }
  // Node's HTTP parser enforces a declared length, so the buffered read is safe; otherwise count as it streams.
  // (Plain promise chains, no async/await: this is on every ingest request's path.)
  const text =
    declared !== null ? event.req.text() : readLimitedStream(event.req.body, limit).then(decodeUtf8)
  return text.catch(explainReadFailure)
}

/** Reads and parses a JSON body; anything unparsable (including an empty body) is `400 Invalid JSON`. */
export function readJson(event: H3Event, options: BodyLimits = {}): Promise<unknown> {
  return readText(event, options).then(parseJson)
}

/**
 * The request body as bytes, decoded per Content-Encoding (gzip, x-gzip, deflate, br, identity). The wire
 * bytes are limited as in {@link readText}; the decoded bytes are counted while zlib streams them out and the
 * read stops at `decodedLimit` (413), so a compression bomb is never buffered. Corrupt data is a 400 naming the
 * encoding, an unknown encoding a 415. An empty body is empty whatever its declared encoding.
 */
export function readBytes(event: H3Event, options: BodyLimits = {}): Promise<Buffer> {
  const limit = options.limit ?? getRequestState(event).bodyLimit
  const decodedLimit = options.decodedLimit ?? limit
  let declared: string | null
  let encoding: Encoding | undefined
  try {
    if (bodyAlreadyRead(event)) throw bodyAlreadyReadError()
    const header = event.req.headers.get('content-encoding')
    encoding =
      options.snappy && header?.trim().toLowerCase() === 'snappy' ? undefined : parseContentEncoding(header)
    declared = checkDeclaredLength(event, limit)
  } catch (error) {
    return Promise.reject(error)
  }
  const nodeRequest = event.runtime?.node?.req as IncomingMessage | undefined
  // On node:http, read the socket's chunks ourselves: a web Request's arrayBuffer() goes through web streams,
  // which costs more than everything else on a small request (text() has srvx's fast path; bytes have none).
  const wire =
    declared !== null
      ? nodeRequest
        ? readNodeBody(nodeRequest)
        : event.req.arrayBuffer().then((bytes) => Buffer.from(bytes))
      : readLimitedStream(event.req.body, limit)
  const bytes = encoding === undefined ? wire : wire.then((body) => decode(body, encoding, decodedLimit))
  return bytes.catch(explainReadFailure)
}

function hasContentEncoding(event: H3Event): boolean {
  const header = event.req.headers.get('content-encoding')
  return header !== null && header.trim().toLowerCase() !== 'identity'
}

function decodeUtf8(bytes: Buffer): string {
  return bytes.toString('utf8')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'Invalid JSON')
  }
}

function explainReadFailure(error: unknown): never {
  if (MonlightError.is(error)) throw error
  if (isBodyUnusable(error)) throw bodyAlreadyReadError()
  throw new MonlightError('BAD_REQUEST', 'Failed to read request body', { cause: error })
}

/** Reads a JSON body and validates it with a zod schema (400 `VALIDATION_FAILED` naming the bad fields). */
export async function readValidatedJson<S extends z.ZodType>(
  event: H3Event,
  schema: S,
  options: BodyLimits = {},
): Promise<z.output<S>> {
  return parseInput(schema, await readJson(event, options), 'request body')
}

/** A node:http body whose declared length was checked (Node enforces it while parsing). */
function readNodeBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    request.once('error', reject)
    request.once('aborted', () => reject(new Error('request aborted')))
  })
}

async function readLimitedStream(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      // The rest of the body is left unread, so the connection cannot carry another request.
      throw payloadTooLarge(limit, { connection: 'close' })
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
}

type Encoding = 'gzip' | 'deflate' | 'br'

const ENCODINGS = new Map<string, Encoding>([
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
  ['deflate', 'deflate'],
  ['br', 'br'],
])

/**
 * The one encoding to undo, or undefined for none. A list such as `gzip, br` is refused (415) rather than
 * undone in reverse: no SDK stacks encodings, and each extra layer is another bomb to defuse.
 */
function parseContentEncoding(header: string | null): Encoding | undefined {
  if (header === null) return undefined
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (codings.length === 0) return undefined
  const encoding = codings.length === 1 ? ENCODINGS.get(codings[0]!) : undefined
  if (encoding === undefined) {
    const advice = codings.length === 1 ? 'use gzip, deflate or br' : 'use a single gzip, deflate or br'
    throw new MonlightError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding '${header}' is not supported: ${advice}`,
    )
  }
  return encoding
}

/** Streams `body` through the decoder, counting what comes out and stopping as soon as it passes the limit. */
function decode(body: Buffer, encoding: Encoding, decodedLimit: number): Promise<Buffer> {
  // Some clients label an empty body with an encoding; zlib would call it truncated.
  if (body.length === 0) return Promise.resolve(body)
  return new Promise((resolve, reject) => {
    const decoder = createDecoder(encoding, body)
    const chunks: Buffer[] = []
    let size = 0
    decoder.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > decodedLimit) {
        decoder.destroy()
        reject(
          new MonlightError(
            'PAYLOAD_TOO_LARGE',
            `Decompressed request body exceeds maximum size of ${decodedLimit} bytes`,
            { body: { limit: decodedLimit } },
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    decoder.on('error', (error: Error) => {
      const name = encoding === 'br' ? 'brotli' : encoding
      reject(new MonlightError('BAD_REQUEST', `Request body is not valid ${name} data: ${error.message}`))
    })
    decoder.on('end', () => resolve(Buffer.concat(chunks, size)))
    decoder.end(body)
  })
}

function createDecoder(encoding: Encoding, body: Buffer): Transform {
  if (encoding === 'gzip') return createGunzip()
  if (encoding === 'br') return createBrotliDecompress()
  // "deflate" means zlib-wrapped (RFC 1950), but some clients send raw deflate (RFC 1951): accept both, telling
  // them apart by the zlib header (compression method 8 and a check value that makes the first 16 bits % 31 == 0).
  const zlibWrapped = body.length >= 2 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0
  return zlibWrapped ? createInflate() : createInflateRaw()
}

/**
 * A host body parser (express.json(), koa-bodyparser, Hono's c.req.json()) mounted before us has drained the
 * stream. Reading it again would fail or hang, so we name the cause instead.
 */
function bodyAlreadyRead(event: H3Event): boolean {
  if (event.req.bodyUsed) return true
  const nodeReq = event.runtime?.node?.req as { readableEnded?: boolean; body?: unknown } | undefined
  return nodeReq !== undefined && (nodeReq.body !== undefined || nodeReq.readableEnded === true)
}

function isBodyUnusable(error: unknown): boolean {
  return error instanceof TypeError && /unusable|already (been )?read|disturbed|locked/i.test(error.message)
}

function bodyAlreadyReadError(): MonlightError {
  return new MonlightError(
    'BODY_ALREADY_READ',
    'The request body was already read by a body parser mounted before Monlight (for example express.json() ' +
      'or koa-bodyparser). Mount Monlight before any body parser.',
  )
}
