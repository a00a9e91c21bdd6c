// The metrics module on a fresh SQLite file (WAL, synchronous=NORMAL), served by the node:http adapter, with
// its background jobs running as in production. Prints its URL, then serves until killed.
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createMetrics } from '@monlight/metrics'

const database = await createDatabase({
  sqlite: join(mkdtempSync(join(tmpdir(), 'metrics-bench-')), 'metrics.sqlite'),
})
const metrics = createMetrics({ database, apiKeys: ['bench-key'] })
await metrics.migrate()
metrics.start()
const server = createServer(toNodeListener(metrics.router))
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
