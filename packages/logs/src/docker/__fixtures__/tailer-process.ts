// A standalone tailer for the kill -9 test: `node --import tsx tailer-process.ts <sqlite file> <sources dir>`.
import { createDatabase } from '@monlight/core'
import { createLogs } from '../../index.js'

const [file, sources] = process.argv.slice(2) as [string, string]
const database = await createDatabase({ sqlite: file })
const logs = createLogs({
  database,
  apiKeys: false,
  maxEntries: 10_000_000,
  docker: { sources, containers: [], tailBuffer: 1 << 30, pollIntervalSeconds: 0.2, multilineGraceMs: 0 },
})
await logs.migrate()
logs.start()
process.stdout.write('started\n')
