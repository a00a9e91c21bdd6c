// The errors module answering POST /api/errors: createErrors on a SQLite file (WAL, synchronous=NORMAL, as the
// standalone server runs it), served by core's node:http adapter.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'

const dir = mkdtempSync(join(tmpdir(), 'monlight-bench-errors-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
process.on('SIGTERM', () => process.exit(0))

const database = await createDatabase({ sqlite: join(dir, 'errors.sqlite') })
const errors = createErrors({ database, apiKeys: ['bench-key'] })
await errors.migrate()
const server = createServer(toNodeListener(errors.router))
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
