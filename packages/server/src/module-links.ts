import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { FetchApp } from '@monlight/core/adapters/fetch'

/** The meta ui-kit's `moduleNav` reads (`MODULES_META` there; ui-kit is bundled into the UIs, not a dependency). */
const MODULES_META = 'monlight-modules'

/**
 * Adds to every HTML page `app` answers a `<meta name="monlight-modules">` naming where each module's UI is, so
 * the module pages link to each other (ui-kit's `moduleNav`). `links` is read per page: ports chosen by the OS
 * are known only once every server listens.
 */
export function withModuleLinks(app: FetchApp, links: () => Record<string, string>): FetchApp {
  return {
    async fetch(request) {
      const response = await app.fetch(request)
      if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/html'))
        return response
      const meta = `<meta name="${MODULES_META}" content="${escapeAttribute(JSON.stringify(links()))}">`
      let html: string
      try {
        html = (await pageText(response)).replace('<head>', `<head>${meta}`)
      } catch {
        // Never a crash of the server for a page: it is sent without the links.
        return new Response('The page could not be read; reload it.', { status: 502 })
      }
      // Sent as it is now: uncompressed (module pages are a few kilobytes), its length no longer the original's.
      const headers = new Headers(response.headers)
      headers.delete('content-length')
      headers.delete('content-encoding')
      return new Response(html, { status: response.status, headers })
    },
  }
}

/** The page's text, whichever encoding the module compressed it in. */
async function pageText(response: Response): Promise<string> {
  const body = Buffer.from(await response.arrayBuffer())
  const encoding = response.headers.get('content-encoding')
  const plain = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body
  return plain.toString('utf8')
}

function escapeAttribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')
}
