// Baseline for Sentry envelopes: bare node:http reading the same bodies — gunzip when gzipped, split the envelope
// into lines, JSON.parse each — and answering 200 {"id": …}, as a relay must at the very least.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    let body = Buffer.concat(chunks)
    let id: unknown = null
    try {
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      for (const line of body.toString('utf8').split('\n')) {
        if (!line) continue
        const value = JSON.parse(line)
        id ??= value.event_id
      }
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"detail":"Invalid envelope"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }))
  })
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
