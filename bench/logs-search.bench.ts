/**
 * Log search over 1,000,000 entries in SQLite (FTS5): p50/p95 of `GET /api/logs`-equivalent service queries,
 * newest first, 100 rows, for text (rare and common words, a phrase, OR/NOT), container, level (exact and >=) and
 * time filters (recent and a window in the middle), field filters (`attr.<name>:<value>`), plus combinations. Baseline, same run: the cheapest query of
 * all (newest 100 rows, no filter) so the ratios show what each filter costs. Budget: p95 ≤ 10 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { createLogs, type LogQuery } from '@monlight/logs'
import { fmt, median, report } from './lib.js'

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60)
const CONTAINERS = Array.from({ length: 20 }, (_, i) => `service-${i}`)
const T0 = Date.parse('2026-10-25T00:00:00Z')
const STEP = 2_500 // ms between entries: 1M entries span about 29 days

const dir = mkdtempSync(join(tmpdir(), 'logs-search-bench-'))
const database = await createDatabase({ sqlite: join(dir, 'logs.sqlite') })
const logs = createLogs({ database, apiKeys: false, maxEntries: 10_000_000 })
await logs.migrate()

function entry(i: number) {
  const r = (i * 2654435761) % 4294967296
  const level =
    r % 1000 === 0
      ? 'CRITICAL'
      : r % 50 === 1
        ? 'ERROR'
        : r % 10 === 2
          ? 'WARNING'
          : r % 4 === 3
            ? 'DEBUG'
            : 'INFO'
  const message =
    r % 10007 === 5
      ? `java.lang.OutOfMemoryError: Java heap space in worker ${i}`
      : level === 'ERROR'
        ? `ERROR: connection refused to db-${r % 7}:5432 after ${r % 30} retries (request ${i})`
        : level === 'WARNING'
          ? `WARNING: slow query on table orders took ${r % 2000}ms user=${r % 5000}`
          : `GET /api/items/${r % 100000} 200 ${r % 89}ms user=${r % 5000} trace=${r.toString(16)}`
  return {
    timestamp: T0 + i * STEP,
    container: CONTAINERS[r % CONTAINERS.length]!,
    stream: level === 'ERROR' ? 'stderr' : 'stdout',
    level: level as 'INFO',
    message,
    // One entry in ten has fields, as a structured logger's would.
    attributes:
      i % 10 === 0 ? JSON.stringify({ user_id: r % 5000, route: '/api/items', ok: level === 'INFO' }) : null,
  }
}

const loadStart = performance.now()
for (let start = 0; start < ENTRIES; start += 50_000) {
  const batch = []
  for (let i = start; i < Math.min(ENTRIES, start + 50_000); i++) batch.push(entry(i))
  await logs.service.ingest(batch)
}
await logs.service.applyRetention(10_000_000, undefined) // includes the background index merge
console.log(`loaded ${fmt(ENTRIES)} entries in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`)

const end = T0 + ENTRIES * STEP
const iso = (ms: number) => new Date(ms).toISOString()
const cases: [string, LogQuery][] = [
  ['no filter (baseline)', {}],
  ['text: common word', { search: 'items' }],
  ['text: rare word', { search: 'OutOfMemoryError' }],
  ['text: phrase', { search: '"connection refused"' }],
  ['text: OR / NOT', { search: 'refused OR timeout -debug' }],
  ['text: NOT voids a common word', { search: 'refused OR slow -orders' }],
  ['text: no match', { search: 'zebra' }],
  ['container', { container: 'service-7' }],
  ['level exact ERROR', { level: 'ERROR' }],
  ['level exact CRITICAL', { level: 'CRITICAL' }],
  ['level >=WARNING', { level: '>=WARNING' }],
  ['level >=ERROR', { level: '>=ERROR' }],
  ['time: last hour', { since: iso(end - 3_600_000) }],
  ['time: last 7 days', { since: iso(end - 7 * 86_400_000) }],
  [
    'time: 1 h window, mid-range',
    { since: iso(T0 + 14 * 86_400_000), until: iso(T0 + 14 * 86_400_000 + 3_600_000) },
  ],
  ['time: 1 day window, mid-range', { since: iso(T0 + 10 * 86_400_000), until: iso(T0 + 11 * 86_400_000) }],
  ['container + level', { container: 'service-1', level: 'ERROR' }],
  ['container + rare level', { container: 'service-3', level: '>=ERROR' }],
  ['container + level + text', { container: 'service-1', level: '>=ERROR', search: 'refused' }],
  ['container + rare level + text', { container: 'service-3', level: '>=ERROR', search: 'refused' }],
  ['text + container', { container: 'service-1', search: 'refused' }],
  ['common word + rare level', { level: 'CRITICAL', search: 'items' }],
  [
    'text + time window',
    { search: 'refused', since: iso(T0 + 10 * 86_400_000), until: iso(T0 + 11 * 86_400_000) },
  ],
  [
    'common word + 1 h window',
    { search: 'items', since: iso(T0 + 14 * 86_400_000), until: iso(T0 + 14 * 86_400_000 + 3_600_000) },
  ],
  ['page 5 (offset 400)', { offset: '400' }],
  ['field: common value', { search: 'attr.route:/api/items' }],
  ['field: rare value', { search: 'attr.user_id:4242' }],
  ['field + text', { search: 'slow attr.ok:false' }],
  ['field + text, none in common', { search: 'refused attr.ok:false' }],
  [
    'field + container + 1 day window',
    {
      search: 'attr.user_id:4242',
      container: 'service-2',
      since: iso(T0 + 10 * 86_400_000),
      until: iso(T0 + 11 * 86_400_000),
    },
  ],
]

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
const results: { name: string; p50: number; p95: number; total: number }[] = []
for (const [name, query] of cases) {
  const times: number[] = []
  let total = 0
  for (let i = 0; i < SAMPLES + 5; i++) {
    const started = performance.now()
    const page = await logs.service.query(query)
    const ms = performance.now() - started
    total = page.total
    if (i >= 5) times.push(ms) // the first runs warm the page cache
  }
  times.sort((a, b) => a - b)
  results.push({ name, p50: percentile(times, 0.5), p95: percentile(times, 0.95), total })
}
const baseline = results[0]!.p50
let worst = 0
for (const r of results) {
  worst = Math.max(worst, r.p95)
  console.log(
    `${r.name.padEnd(30)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p95 ${r.p95.toFixed(2).padStart(6)} ms  ×${(r.p50 / baseline).toFixed(1).padStart(5)} of baseline p50  (total ${fmt(r.total)})`,
  )
}
const worstCase = results.find((r) => r.p95 === worst)!
report([
  {
    measure: `search over ${fmt(ENTRIES)} entries, newest 100, ${results.length} filter cases`,
    result: `worst p95 ${worst.toFixed(2)} ms (${worstCase.name}); median p95 ${median(results.map((r) => r.p95)).toFixed(2)} ms`,
    baseline: `unfiltered p50 ${baseline.toFixed(2)} ms`,
    budget: 'p95 ≤ 10 ms',
    met: worst <= 10,
  },
])
await database.destroy()
rmSync(dir, { recursive: true, force: true })
