// The relay answering Sentry envelopes (POST /api/1/envelope/), forwarding in-process into the errors module, both
// on SQLite files (WAL, synchronous=NORMAL, as the standalone server runs them), served by core's node:http adapter.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'
import { createRelay } from '@monlight/relay'

const dir = mkdtempSync(join(tmpdir(), 'monlight-bench-sentry-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
process.on('SIGTERM', () => process.exit(0))

const errors = createErrors({
  database: await createDatabase({ sqlite: join(dir, 'errors.sqlite') }),
  apiKeys: ['bench-key'],
})
await errors.migrate()
const relay = createRelay({
  database: await createDatabase({ sqlite: join(dir, 'relay.sqlite') }),
  apiKeys: ['bench-key'],
  dsnKeys: [{ project: 'bench', publicKey: '0123456789abcdef0123456789abcdef' }],
  forward: { errors: errors.service, metrics: { ingest: async (points) => ({ count: points.length }) } },
  rateLimit: false,
})
await relay.migrate()
// Both APIs on one port: the envelope endpoint, and the errors module's read API (for the detail-page figure).
const relayListener = toNodeListener(relay.router)
const errorsListener = toNodeListener(errors.router)
const server = createServer((request, response) => {
  if (!request.url?.startsWith('/errors/')) return relayListener(request, response)
  request.url = request.url.slice('/errors'.length)
  return errorsListener(request, response)
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
