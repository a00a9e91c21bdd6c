// Baseline: bare node:http answering the benchmark POST — same key check, JSON parse and 202 reply as the kit.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const KEY = 'bench-key'
const server = createServer((req, res) => {
  if (req.headers['x-api-key'] !== KEY) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Invalid API key"}')
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    let body: Record<string, unknown>
    try {
      body = JSON.parse(Buffer.concat(chunks).toString())
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"detail":"Invalid JSON"}')
      return
    }
    res
      .writeHead(202, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'accepted', count: Object.keys(body).length }))
  })
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
