import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createTestSchema, dropTestSchema, postgresUrl, printPostgresNotice } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createBus } from '../bus/bus.js'
import { createDatabase, type Database } from '../database/create-database.js'

const fixture = fileURLToPath(new URL('../__fixtures__/instance.ts', import.meta.url))
printPostgresNotice()

interface Instance {
  child: ChildProcess
  events: Record<string, unknown>[]
  send(line: string): void
}

function startInstance(url: string, name: string, schema: string): Instance {
  const child = spawn(
    process.execPath,
    ['--conditions=@monlight/source', '--import', 'tsx', fixture, url, name, schema],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const events: Record<string, unknown>[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line)))
  return { child, events, send: (line) => child.stdin!.write(`${line}\n`) }
}

const has = (instance: Instance, event: string) => instance.events.some((e) => e.event === event)

// Two real processes on one PostgreSQL, as two servers behind a load balancer would be.
describe.skipIf(!postgresUrl)('postgres: two instances on one database', () => {
  const url = postgresUrl!
  let schema: string
  let admin: Database
  let a: Instance
  let b: Instance

  const runsBy = async () => {
    const { rows } = await admin.pool!.query('select instance, count(*) as n from job_runs group by instance')
    return Object.fromEntries(rows.map((r) => [r.instance, Number(r.n)]))
  }

  beforeAll(async () => {
    schema = await createTestSchema(url)
    admin = await createDatabase({ postgres: { connectionString: url, options: `-c search_path=${schema}` } })
    await admin.pool!.query('create table job_runs (instance text not null)')
    a = startInstance(url, 'a', schema)
    await vi.waitFor(() => expect(has(a, 'ready')).toBe(true), { timeout: 20_000 })
    b = startInstance(url, 'b', schema)
    await vi.waitFor(() => expect(has(b, 'ready')).toBe(true), { timeout: 20_000 })
  }, 60_000)

  afterAll(async () => {
    for (const instance of [a, b]) instance?.child.kill()
    await admin?.destroy()
    if (schema) await dropTestSchema(url, schema)
  })

  it('runs a job on exactly one instance', async () => {
    await vi.waitFor(async () => expect((await runsBy()).a ?? 0).toBeGreaterThanOrEqual(5), {
      timeout: 10_000,
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await runsBy()).toEqual({ a: expect.any(Number) })
  })

  it('delivers a bus message published on one instance to the other (and itself)', async () => {
    a.send('publish hello from a')
    await vi.waitFor(
      () =>
        expect(b.events).toContainEqual({
          instance: 'b',
          event: 'received',
          message: { from: 'a', text: 'hello from a' },
        }),
      { timeout: 5_000 },
    )
    await vi.waitFor(() =>
      expect(a.events).toContainEqual({
        instance: 'a',
        event: 'received',
        message: { from: 'a', text: 'hello from a' },
      }),
    )
  })

  it('hands the jobs to the other instance when the leader stops', async () => {
    a.send('stop')
    await vi.waitFor(() => expect(has(a, 'stopped')).toBe(true), { timeout: 10_000 })
    await vi.waitFor(async () => expect((await runsBy()).b ?? 0).toBeGreaterThanOrEqual(3), {
      timeout: 10_000,
    })
  })

  it('refuses bus messages PostgreSQL could not carry', async () => {
    const bus = createBus({ database: admin })
    await expect(bus.publish('ping', 'x'.repeat(9000))).rejects.toThrow(/limit is 7999/)
    await bus.close()
  })
})
