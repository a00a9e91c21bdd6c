import type { H3Event } from 'h3'
import type * as z from 'zod'
import { MonlightError } from '../errors.js'
import { getRequestState } from './request-state.js'
import { parseInput } from './validate.js'

/** The 413 for a body over the limit, with upstream's wording. */
export function payloadTooLarge(limit: number): MonlightError {
  return new MonlightError('PAYLOAD_TOO_LARGE', 'Request body exceeds maximum size', { body: { limit } })
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
 */
export function readText(event: H3Event, options: { limit?: number } = {}): Promise<string> {
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
  const text = declared !== null ? event.req.text() : readLimitedStream(event.req.body, limit)
  return text.catch(explainReadFailure)
}

/** Reads and parses a JSON body; anything unparsable (including an empty body) is `400 Invalid JSON`. */
export function readJson(event: H3Event, options: { limit?: number } = {}): Promise<unknown> {
  return readText(event, options).then(parseJson)
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
  options: { limit?: number } = {},
): Promise<z.output<S>> {
  return parseInput(schema, await readJson(event, options), 'request body')
}

async function readLimitedStream(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw payloadTooLarge(limit)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
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
