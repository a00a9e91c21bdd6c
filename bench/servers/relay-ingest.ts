// The relay answering POST /api/browser/errors, forwarding in-process into the errors module, both on SQLite
// files (WAL, synchronous=NORMAL, as the standalone server runs them), served by core's node:http adapter.
// RELAY_BENCH_SINK=1 forwards into a no-op instead, to show the relay's own cost.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'
import { createRelay } from '@monlight/relay'

const dir = mkdtempSync(join(tmpdir(), 'monlight-bench-relay-'))
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
  dsnKeys: [{ project: 'bench', publicKey: 'bench-dsn' }],
  corsOrigins: ['https://app.example.com'],
  forward: {
    errors:
      process.env.RELAY_BENCH_SINK === '1'
        ? { ingest: async () => ({ status: 'incremented' as const, id: 1, count: 2 }) }
        : errors.service,
    metrics: { ingest: async (points) => ({ count: points.length }) },
  },
  rateLimit: false,
})
await relay.migrate()
const server = createServer(toNodeListener(relay.router))
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
