// The relay with its receivers (OTLP, Loki, Prometheus remote_write) forwarding in-process into the logs, metrics
// and errors modules, each on its own SQLite file (WAL, synchronous=NORMAL, as the standalone server runs them),
// with their background jobs running, served by core's node:http adapter.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'
import { createLogs } from '@monlight/logs'
import { createMetrics } from '@monlight/metrics'
import { createRelay } from '@monlight/relay'

const dir = mkdtempSync(join(tmpdir(), 'monlight-bench-receivers-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
process.on('SIGTERM', () => process.exit(0))

const open = (name: string) => createDatabase({ sqlite: join(dir, `${name}.sqlite`) })
const errors = createErrors({ database: await open('errors'), apiKeys: ['bench-key'] })
const logs = createLogs({ database: await open('logs'), apiKeys: ['bench-key'] })
const metrics = createMetrics({ database: await open('metrics'), apiKeys: ['bench-key'] })
for (const module of [errors, logs, metrics]) await module.migrate()
metrics.start()
logs.start()
const relay = createRelay({
  database: await open('relay'),
  apiKeys: ['bench-key'],
  forward: { errors: errors.service, metrics: metrics.service, logs: logs.service },
  rateLimit: false,
})
await relay.migrate()
const server = createServer(toNodeListener(relay.router))
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
