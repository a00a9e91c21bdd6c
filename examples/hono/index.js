// A Hono 4 app on Node with Monlight: request metrics and errors recorded into an error tracker and a metrics
// collector embedded in the app, their UIs at /monlight/errors/ and /monlight/metrics/.
import { serve } from '@hono/node-server'
import { embedMonlight } from '@monlight/node'
import { setupMonlight } from '@monlight/node/hono'
import { Hono } from 'hono'

const apiKey = process.env.MONLIGHT_API_KEY ?? 'example-key'
const embedded = await embedMonlight({ database: process.env.MONLIGHT_DATABASE_URL, apiKeys: [apiKey] })

const app = new Hono()
setupMonlight(app, { project: 'example-hono', embedded, flushIntervalMs: 1000 })

app.get('/', (c) => c.json({ try: ['/users/42', '/boom', '/monlight/errors/', '/monlight/metrics/'] }))
app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), name: 'Ada' }))
app.get('/boom', () => {
  throw new Error('Something broke in /boom')
})
app.onError((_error, c) => c.json({ detail: 'Internal server error' }, 500))

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`hono example on http://localhost:${info.port}/ (Monlight API key: ${apiKey})`)
})
process.once('SIGTERM', () => server.close(() => embedded.close()))
