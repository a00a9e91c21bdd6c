// The same small app in FRAMEWORK (express | hono), with MONLIGHT=on adding `setupMonlight` (metrics and errors
// sent to COLLECTOR) and MONLIGHT=off without it: the Node SDK's per-request overhead.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { setupMonlight as setupExpress } from '@monlight/node/express'
import { setupMonlight as setupHono } from '@monlight/node/hono'
import express from 'express'
import { Hono } from 'hono'

const framework = process.env.FRAMEWORK
const options =
  process.env.MONLIGHT === 'on'
    ? {
        errorTrackerUrl: process.env.COLLECTOR,
        metricsCollectorUrl: process.env.COLLECTOR,
        apiKey: 'bench-key',
        project: 'bench',
        // A flush every second: the benchmark includes the cost of sending, not only of buffering.
        flushIntervalMs: 1000,
        maxBuffer: 100_000,
      }
    : undefined

let server: Server
if (framework === 'express') {
  const app = express()
  if (options) setupExpress(app, options)
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, name: 'Ada' })
  })
  server = createServer(app).listen(0, '127.0.0.1')
} else if (framework === 'hono') {
  const app = new Hono()
  if (options) setupHono(app, options)
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), name: 'Ada' }))
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
} else {
  throw new Error('FRAMEWORK must be express or hono')
}
server.once('listening', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
