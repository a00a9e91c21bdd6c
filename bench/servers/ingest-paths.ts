// The errors, metrics and logs modules, each on core's node:http adapter with its background jobs running, picked
// by path (/api/errors…, /api/metrics…, /api/logs…): on fresh SQLite files (WAL, synchronous=NORMAL), or, with BENCH_POSTGRES_URL
// set, on a new schema of that PostgreSQL server (dropped on exit), or on BENCH_POSTGRES_SCHEMA, which several
// instances can share (its creator drops it). Prints its URL, then serves until killed.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase, type Database } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'
import { createLogs } from '@monlight/logs'
import { createMetrics } from '@monlight/metrics'

const postgresUrl = process.env.BENCH_POSTGRES_URL || undefined
const dir = mkdtempSync(join(tmpdir(), 'monlight-bench-paths-'))
const sharedSchema = process.env.BENCH_POSTGRES_SCHEMA
const schema = sharedSchema ?? `bench_${process.pid}`
let admin: Database | undefined

async function open(name: string): Promise<Database> {
  if (!postgresUrl) return createDatabase({ sqlite: join(dir, `${name}.sqlite`) })
  return createDatabase({ postgres: { connectionString: postgresUrl, options: `-c search_path=${schema}` } })
}

if (postgresUrl && !sharedSchema) {
  admin = await createDatabase({ postgres: postgresUrl, max: 1 })
  await admin.pool!.query(`create schema ${schema}`)
}
const cleanUp = async () => {
  rmSync(dir, { recursive: true, force: true })
  if (admin) await admin.pool!.query(`drop schema if exists ${schema} cascade`)
  process.exit(0)
}
process.on('SIGTERM', () => void cleanUp())

const apiKeys = ['bench-key']
const modules = {
  errors: createErrors({ database: await open('errors'), apiKeys }),
  metrics: createMetrics({ database: await open('metrics'), apiKeys }),
  logs: createLogs({ database: await open('logs'), apiKeys }),
}
const listeners = new Map<string, ReturnType<typeof toNodeListener>>()
for (const [name, module] of Object.entries(modules)) {
  await module.migrate()
  module.start()
  listeners.set(name, toNodeListener(module.router))
}
const server = createServer((request, response) => {
  const name = /^\/api\/(\w+)/.exec(request.url ?? '')?.[1] ?? ''
  const listener = listeners.get(name)
  if (listener) return listener(request, response)
  response.writeHead(404).end()
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
