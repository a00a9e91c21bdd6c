/**
 * Docker json-file ingestion end to end: a generated containers folder (4 containers, ≥ 1,000,000 json-file
 * lines, Python tracebacks and JS stacks mixed in) read by the Docker tailer into a SQLite file with the FTS5
 * index — decoding, multiline reassembly, level detection, cursors and indexing included. Baseline, same run:
 * raw better-sqlite3 inserting the same (already parsed) rows into the same schema with its FTS5 index.
 * Budget: ≥ 100,000 lines/s.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase, silentLogger } from '@monlight/core'
import { createLogs } from '@monlight/logs'
import { createDockerIngestor } from '@monlight/logs/docker'
import { createLogsStore } from '../packages/logs/src/store/store.js'
import { fmt, median, report } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONTAINERS = ['api', 'web', 'worker', 'scheduler']
const LINES_PER_CONTAINER = Number(process.env.BENCH_LINES ?? 260_000)

const dir = mkdtempSync(join(tmpdir(), 'logs-ingest-bench-'))
const sources = join(dir, 'containers')

/** Writes the json-file logs; returns the physical line count and the entries they should become. */
function generate(): { lines: number; entries: number } {
  let lines = 0
  let entries = 0
  let time = Date.parse('2026-11-25T08:00:00Z')
  for (const name of CONTAINERS) {
    const id = `${name}0123456789abcdef`
    mkdirSync(join(sources, id), { recursive: true })
    writeFileSync(join(sources, id, 'config.v2.json'), JSON.stringify({ Name: `/${name}` }))
    const path = join(sources, id, `${id}-json.log`)
    let chunk: string[] = []
    const line = (log: string, stream = 'stdout') => {
      time += 1
      chunk.push(
        `{"log":${JSON.stringify(`${log}\n`)},"stream":"${stream}","time":"${new Date(time).toISOString().replace('Z', '123456Z')}"}\n`,
      )
      lines++
    }
    for (let i = 0; lines < LINES_PER_CONTAINER * (CONTAINERS.indexOf(name) + 1); i++) {
      entries++
      if (i % 100 === 7) {
        line(`ERROR: request ${i} failed`, 'stderr')
        line('Traceback (most recent call last):', 'stderr')
        line(`  File "/app/handlers/orders.py", line ${i % 300}, in create_order`, 'stderr')
        line('    total = compute_total(cart)', 'stderr')
        line(`ValueError: cart ${i} has no items`, 'stderr')
      } else if (i % 100 === 53) {
        line(`TypeError: Cannot read properties of undefined (reading 'id') at request ${i}`, 'stderr')
        line('    at handler (/srv/app/routes/user.js:42:17)', 'stderr')
        line('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)', 'stderr')
      } else if (i % 10 === 3) {
        line(`{"level":"warn","msg":"slow query","ms":${i % 997},"table":"orders"}`)
      } else {
        line(
          `${new Date(time).toISOString()} [INFO] GET /api/items/${i} 200 ${i % 89}ms user=${i % 5000} trace=${(i * 2654435761) % 4294967296}`,
        )
      }
      if (chunk.length >= 10_000) {
        appendFileSync(path, chunk.join(''))
        chunk = []
      }
    }
    appendFileSync(path, chunk.join(''))
  }
  return { lines, entries }
}

async function endToEnd(round: number) {
  const database = await createDatabase({ sqlite: join(dir, `e2e-${round}.sqlite`) })
  const logs = createLogs({ database, apiKeys: false, maxEntries: 10_000_000 })
  await logs.migrate()
  const store = createLogsStore(database)
  const ingestor = createDockerIngestor({
    sources,
    containers: [],
    pollIntervalSeconds: 2,
    tailBuffer: 1 << 30,
    rescanSeconds: 30,
    multilineGraceMs: 0,
    service: logs.service,
    store,
    logger: silentLogger,
  })
  const started = performance.now()
  await ingestor.runOnce()
  const seconds = (performance.now() - started) / 1000
  const stored = (await store.health()).count
  await database.destroy()
  return { seconds, stored }
}

/** The same rows, parsed ahead of time, inserted straight into the schema (FTS5 rows in the same batches). */
async function rawFts(round: number, rows: number) {
  const database = await createDatabase({ sqlite: join(dir, `raw-${round}.sqlite`) })
  const logs = createLogs({ database, apiKeys: false })
  await logs.migrate()
  const handle = database.sqlite as unknown as {
    prepare(s: string): { run(...p: unknown[]): { lastInsertRowid: number | bigint } }
    transaction(fn: () => void): () => void
  }
  const batch = 200
  const entries = Array.from({ length: rows }, (_, i) => [
    Date.parse('2026-11-25T08:00:00Z') + i,
    CONTAINERS[i % 4],
    'stdout',
    'INFO',
    `2026-11-25T08:00:00.000Z [INFO] GET /api/items/${i} 200 ${i % 89}ms user=${i % 5000} trace=${(i * 2654435761) % 4294967296}`,
    null,
  ])
  const insert = handle.prepare(
    `insert into monlight_logs_entry (timestamp, container, stream, level, message, attributes) values ${Array(batch).fill('(?,?,?,?,?,?)').join(',')}`,
  )
  const fts = handle.prepare(
    `insert into monlight_logs_entry_fts (rowid, message) values ${Array(batch).fill('(?,?)').join(',')}`,
  )
  const started = performance.now()
  const perTransaction = 40_000
  for (let start = 0; start < rows; start += perTransaction) {
    handle.transaction(() => {
      for (let b = start; b < Math.min(rows, start + perTransaction); b += batch) {
        const slice = entries.slice(b, b + batch)
        if (slice.length < batch) break
        const last = Number(insert.run(...slice.flat()).lastInsertRowid)
        fts.run(...slice.flatMap((row, i) => [last - batch + 1 + i, row[4]]))
      }
    })()
  }
  const seconds = (performance.now() - started) / 1000
  await database.destroy()
  return rows / seconds
}

try {
  const generatedAt = performance.now()
  const { lines, entries } = generate()
  console.log(
    `generated ${fmt(lines)} json-file lines (${fmt(entries)} entries after multiline) in ${CONTAINERS.length} containers in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`,
  )
  const e2e: number[] = []
  const raw: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const { seconds, stored } = await endToEnd(round)
    if (stored !== entries) throw new Error(`stored ${stored} entries, expected ${entries}`)
    e2e.push(lines / seconds)
    raw.push(await rawFts(round, entries))
  }
  console.log(
    `raw FTS5 insert (same rows, prepared 200-row statements): ${fmt(median(raw))} rows/s  (${raw.map(fmt).join(' / ')})`,
  )
  console.log(
    `docker ingestion end to end:                             ${fmt(median(e2e))} lines/s (${e2e.map(fmt).join(' / ')})`,
  )
  report([
    {
      measure: `Docker json-file ingestion with FTS5, ${fmt(lines)} lines, ${CONTAINERS.length} containers`,
      result: `${fmt(median(e2e))} lines/s`,
      baseline: `raw FTS5 insert ${fmt(median(raw))} rows/s: ×${(median(e2e) / median(raw)).toFixed(2)}`,
      budget: '≥ 100,000 lines/s',
      met: median(e2e) >= 100_000,
    },
  ])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
