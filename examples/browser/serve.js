// Serves index.html with the SDK's script-tag build on http://localhost:3000 (PORT to change it), configured from
// MONLIGHT_DSN (a DSN key's public key) and MONLIGHT_RELAY (default http://localhost:5013).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'

const dsn = process.env.MONLIGHT_DSN
if (!dsn) {
  console.error('Set MONLIGHT_DSN to a DSN public key: see README.md')
  process.exit(1)
}
const config = {
  dsn,
  endpoint: process.env.MONLIGHT_RELAY ?? 'http://localhost:5013',
  release: 'example-1.0.0',
}
const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8').replace(
  '/*MONLIGHT_CONFIG*/ {}',
  JSON.stringify(config),
)
const sdk = readFileSync(createRequire(import.meta.url).resolve('@monlight/browser/monlight.min.js'))

const server = createServer((req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  if (req.url === '/monlight.min.js')
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk)
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found"}')
})
server.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`browser example on http://localhost:${server.address().port}/ (relay ${config.endpoint})`)
})
