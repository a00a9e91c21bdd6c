/**
 * A full disk under the SQLite files, simulated with SQLite's own size cap (`max_page_count`, which fails writes
 * with the same SQLITE_FULL a full disk gives): each module answers writes 503 with a message that says what to
 * do, keeps serving reads, and takes writes again once there is room, without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase, type Database, type Logger, type MonlightModule } from '@monlight/core'
import { createErrors } from '@monlight/errors'
import { createLogs } from '@monlight/logs'
import { createMetrics } from '@monlight/metrics'
import { afterAll, expect, it } from 'vitest'

const KEY = 'full-disk-key'
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }
const dataDir = mkdtempSync(join(tmpdir(), 'monlight-full-'))
const logged: string[] = []
const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (message: string) => void logged.push(message),
  child: () => logger,
} as unknown as Logger
const opened: Database[] = []
afterAll(async () => {
  await Promise.all(opened.map((database) => database.destroy()))
  rmSync(dataDir, { recursive: true, force: true })
})

const build: Record<string, (database: Database) => MonlightModule> = {
  errors: (database) => createErrors({ database, apiKeys: [KEY], logger }),
  logs: (database) => createLogs({ database, apiKeys: [KEY], logger }),
  metrics: (database) => createMetrics({ database, apiKeys: [KEY], logger }),
}

const writes = {
  errors: [
    '/api/errors',
    (i: number) => ({
      project: 'full',
      exception_type: `E${i}`,
      message: `m ${i}`,
      traceback: 'x'.repeat(2000),
    }),
  ],
  logs: [
    '/api/logs',
    (i: number) =>
      Array.from({ length: 50 }, (_, j) => ({
        container: 'full',
        message: `line ${i} ${j} ${'y'.repeat(200)}`,
      })),
  ],
  metrics: [
    '/api/metrics',
    (i: number) =>
      Array.from({ length: 200 }, (_, j) => ({ name: `full_${i}_${j}`, type: 'gauge', value: j })),
  ],
} as const

for (const [name, [path, body]] of Object.entries(writes)) {
  it(`${name}: 503 with what to do while full, reads still served, writes again once there is room`, async () => {
    const database = await createDatabase({ sqlite: join(dataDir, `${name}.sqlite`) })
    opened.push(database)
    const module = build[name]!(database)
    await module.migrate()
    const post = (target: string, payload: unknown) =>
      module.fetch(
        new Request(`http://x${target}`, { method: 'POST', headers, body: JSON.stringify(payload) }),
      )
    const sqlite = database.sqlite!
    const pages = Number(sqlite.pragma('page_count', { simple: true }))
    sqlite.pragma(`max_page_count = ${pages + 2}`)
    let full: Response | undefined
    for (let i = 0; i < 200 && !full; i++) {
      const response = await post(path, body(i))
      if (response.status === 503) full = response
      else expect(response.status, await response.text()).toBeLessThan(300)
    }
    expect(full, 'the size cap was never reached').toBeDefined()
    expect(full!.headers.get('retry-after')).toBe('30')
    expect(await full!.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      detail: expect.stringContaining('full'),
    })
    expect(logged.some((line) => line.includes('database full'))).toBe(true)
    expect((await module.fetch(new Request('http://x/health'))).status).toBe(200)

    sqlite.pragma('max_page_count = 1073741823') // space freed
    const after = await post(path, body(999))
    expect(after.status, await after.clone().text()).toBeLessThan(300)
  })
}
