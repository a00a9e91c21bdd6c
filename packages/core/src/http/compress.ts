import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { type H3Event, onResponse } from 'h3'

const MIN_BYTES = 1024
/** Text worth compressing; never `text/event-stream` (a live tail must flow, not be buffered). */
const COMPRESSIBLE = /^(application\/(json|javascript)|text\/(html|css|javascript|plain)|image\/svg\+xml)\b/
const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * Compresses answers to reads (GET: UI pages and assets, search results, dashboards) of 1 KiB or more with brotli or
 * gzip when the client accepts it. Writes are left alone: their answers are small, and ingest is the hot path.
 */
export const compressResponses = onResponse(async (response: Response, event: H3Event) => {
  if (event.req.method !== 'GET' || response.status !== 200 || !response.body) return undefined
  if (response.headers.has('content-encoding')) return undefined
  if (!COMPRESSIBLE.test(response.headers.get('content-type') ?? '')) return undefined
  const encoding = pickEncoding(event.req.headers.get('accept-encoding'))
  if (!encoding) return undefined
  const body = Buffer.from(await response.arrayBuffer())
  const headers = new Headers(response.headers)
  if (!/\baccept-encoding\b/i.test(headers.get('vary') ?? '')) headers.append('vary', 'accept-encoding')
  if (body.length < MIN_BYTES) return new Response(body, { status: response.status, headers })
  const compressed =
    encoding === 'br'
      ? await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : await gzipAsync(body)
  headers.set('content-encoding', encoding)
  headers.delete('content-length')
  return new Response(compressed, { status: response.status, headers })
})

/** `br` when accepted, else `gzip`; a `q=0` refuses an encoding. */
function pickEncoding(accept: string | null): 'br' | 'gzip' | undefined {
  if (!accept) return undefined
  const accepted = new Set(
    accept
      .toLowerCase()
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => name!.trim()),
  )
  if (accepted.has('br')) return 'br'
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip'
  return undefined
}
