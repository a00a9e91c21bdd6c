// A Koa 3 app with Monlight: request metrics (by @koa/router route template) and errors recorded into an error
// tracker and a metrics collector embedded in the app, their UIs at /monlight/errors/ and /monlight/metrics/.
import Router from '@koa/router'
import { embedMonlight } from '@monlight/node'
import { setupMonlight } from '@monlight/node/koa'
import Koa from 'koa'

const apiKey = process.env.MONLIGHT_API_KEY ?? 'example-key'
const embedded = await embedMonlight({ database: process.env.MONLIGHT_DATABASE_URL, apiKeys: [apiKey] })

const app = new Koa()
setupMonlight(app, { project: 'example-koa', embedded, flushIntervalMs: 1000 })

const router = new Router()
router.get('/', (ctx) => {
  ctx.body = { try: ['/users/42', '/boom', '/monlight/errors/', '/monlight/metrics/'] }
})
router.get('/users/:id', (ctx) => {
  ctx.body = { id: ctx.params.id, name: 'Ada' }
})
router.get('/boom', () => {
  throw new Error('Something broke in /boom')
})
app.use(router.routes())
app.silent = true // Monlight reports the errors; Koa need not print them too

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`koa example on http://localhost:${server.address().port}/ (Monlight API key: ${apiKey})`)
})
process.once('SIGTERM', () => server.close(() => embedded.close()))
