// An Express 5 app with Monlight: request metrics and errors recorded by the Node SDK into an error tracker and a
// metrics collector embedded in the app (one SQLite file), their UIs at /monlight/errors/ and /monlight/metrics/.
import { embedMonlight } from '@monlight/node'
import { setupMonlight } from '@monlight/node/express'
import express from 'express'

const apiKey = process.env.MONLIGHT_API_KEY ?? 'example-key'
const embedded = await embedMonlight({ database: process.env.MONLIGHT_DATABASE_URL, apiKeys: [apiKey] })

const app = express()
// Before express.json(): the embedded APIs read their own bodies. For a standalone Monlight server instead, pass
// { errorTrackerUrl: 'http://localhost:5010', metricsCollectorUrl: 'http://localhost:5012', apiKey }.
setupMonlight(app, { project: 'example-express', embedded, flushIntervalMs: 1000 })
app.use(express.json())

app.get('/', (_req, res) => {
  res.json({ try: ['/users/42', '/boom', '/monlight/errors/', '/monlight/metrics/'] })
})
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id, name: 'Ada' })
})
app.post('/orders', (req, res) => {
  res.status(201).json({ items: req.body?.items ?? [] })
})
app.get('/boom', () => {
  throw new Error('Something broke in /boom')
})

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`express example on http://localhost:${server.address().port}/ (Monlight API key: ${apiKey})`)
})
process.once('SIGTERM', () => server.close(() => embedded.close()))
