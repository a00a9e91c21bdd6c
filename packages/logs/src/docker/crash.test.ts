import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDatabase, type Database } from '@monlight/core'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { dockerLine, makeContainer } from './__fixtures__/docker-dir.js'

const LINES = 300_000
const script = fileURLToPath(new URL('./__fixtures__/tailer-process.ts', import.meta.url))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
})

function startTailer(dbFile: string, sources: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@monlight/source', '--import', 'tsx', script, dbFile, sources],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  children.push(child)
  return child
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('docker ingestion survives kill -9', () => {
  it('loses and duplicates no line when the tailer is killed mid-file and restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-crash-'))
    const sources = join(dir, 'containers')
    const log = makeContainer(sources, 'c1', 'crashy')
    const lines: string[] = []
    for (let i = 0; i < LINES; i++) lines.push(dockerLine(`line ${i} ${'payload '.repeat(8)}\n`))
    appendFileSync(log, lines.join(''))
    const dbFile = join(dir, 'logs.sqlite')

    const first = startTailer(dbFile, sources)
    let reader: Database | undefined
    const count = async () => {
      try {
        reader ??= await createDatabase({ sqlite: dbFile })
        const { rows } = await sql<{ n: number }>`select count(*) as n from monlight_logs_entry`.execute(
          reader.db,
        )
        return Number(rows[0]!.n)
      } catch {
        return 0 // not migrated yet
      }
    }
    await waitFor(async () => (await count()) > 0, 30_000)
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    const atKill = await count()
    expect(atKill).toBeGreaterThan(0)
    expect(atKill).toBeLessThan(LINES) // really mid-file

    const second = startTailer(dbFile, sources)
    await waitFor(async () => (await count()) >= LINES, 60_000)
    await new Promise((resolve) => setTimeout(resolve, 500)) // a duplicate would arrive after the total
    second.kill('SIGKILL')
    const { rows } = await sql<{ n: number; distinct_n: number; fts: number }>`select count(*) as n,
      count(distinct message) as distinct_n,
      (select count(*) from monlight_logs_entry_fts where monlight_logs_entry_fts match 'payload') as fts
      from monlight_logs_entry`.execute(reader!.db)
    expect(rows[0]).toEqual({ n: LINES, distinct_n: LINES, fts: LINES })
    await reader!.destroy()
  }, 120_000)
})
