// A plain node:http server with Monlight: request metrics (paths with ids replaced) and errors recorded into an
// error tracker and a metrics collector embedded in the app, their UIs at /monlight/errors/ and /monlight/metrics/.
import { createServer } from 'node:http'
import { embedMonlight } from '@monlight/node'
import { withMonlight } from '@monlight/node/http'

const apiKey = process.env.MONLIGHT_API_KEY ?? 'example-key'
const embedded = await embedMonlight({ database: process.env.MONLIGHT_DATABASE_URL, apiKeys: [apiKey] })

async function handle(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost')
  const user = /^\/users\/(\d+)$/.exec(pathname)
  if (pathname === '/boom') throw new Error('Something broke in /boom')
  res.setHeader('content-type', 'application/json')
  if (pathname === '/')
    return res.end('{"try":["/users/42","/boom","/monlight/errors/","/monlight/metrics/"]}')
  if (user) return res.end(JSON.stringify({ id: user[1], name: 'Ada' }))
  res.writeHead(404).end('{"detail":"Not found"}')
}

const { listener } = withMonlight(handle, { project: 'example-node-http', embedded, flushIntervalMs: 1000 })
const server = createServer(listener).listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`node-http example on http://localhost:${server.address().port}/ (Monlight API key: ${apiKey})`)
})
process.once('SIGTERM', () => server.close(() => embedded.close()))
