// Reference: h3 alone (no Monlight middleware) answering the benchmark POST, to separate the kit's own cost
// from the framework's.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { H3 } from 'h3'
import { toNodeHandler } from 'h3/node'

const app = new H3()
app.post('/api/ingest', async (event) => {
  if (event.req.headers.get('x-api-key') !== 'bench-key') return new Response('', { status: 401 })
  const body = JSON.parse(await event.req.text()) as Record<string, unknown>
  event.res.status = 202
  return { status: 'accepted', count: Object.keys(body).length }
})
const server = createServer(toNodeHandler(app))
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
