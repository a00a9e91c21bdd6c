// The core HTTP kit answering the benchmark POST: createModuleApp (timing-safe key check, body limit, error
// mapper) + readJson, served by the node:http adapter.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createModuleApp, readJson } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'

const app = createModuleApp({ name: 'bench', auth: { apiKeys: ['bench-key'] } })
app.post('/api/ingest', async (event) => {
  const body = (await readJson(event)) as Record<string, unknown>
  event.res.status = 202
  return { status: 'accepted', count: Object.keys(body).length }
})
const server = createServer(toNodeListener(app))
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
