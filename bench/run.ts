/**
 * Runs the benchmarks: `npm run bench` (all) or `npm run bench -- http-kit` (by name). Each benchmark is a
 * `*.bench.ts` file run in its own process; each prints its figures as ratios to a baseline measured in the same
 * run, because the machines are shared and absolute numbers drift.
 *
 * The rows each benchmark reports are merged into bench/results.json (a benchmark that ran replaces its rows,
 * the others keep theirs) and rendered as the table bench/results.md, which docs/benchmarks.md includes.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './lib.js'

interface BenchEntry {
  benchmark: string
  /** When it ran, and on what. */
  ran: string
  rows: BenchRow[]
}

const dir = fileURLToPath(new URL('.', import.meta.url))
const RESULTS_JSON = join(dir, 'results.json')
const RESULTS_MD = join(dir, 'results.md')

const wanted = process.argv.slice(2)
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort()
const selected = wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all
const unknown = wanted.filter((name) => !all.includes(name))
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}. Available: ${all.join(', ')}`)
  process.exit(2)
}

const scratch = mkdtempSync(join(tmpdir(), 'monlight-bench-'))
const reported = join(scratch, 'rows.jsonl')
const machine = `${cpus().length} cores, Node ${process.versions.node}`
let failed = false
for (const [index, name] of selected.entries()) {
  console.log(`\n# ${name} (${index + 1}/${selected.length})`)
  const result = spawnSync(
    process.execPath,
    ['--conditions=@monlight/source', '--import', 'tsx', `${dir}${name}.bench.ts`],
    { stdio: 'inherit', env: { ...process.env, BENCH_RESULTS: reported } },
  )
  if (result.status !== 0) {
    failed = true
    console.error(`${name} failed (exit ${result.status ?? result.signal}); its previous results are kept`)
  }
}

const ran = `${new Date().toISOString().slice(0, 10)}, ${machine}`
const fresh = existsSync(reported)
  ? readFileSync(reported, 'utf8')
      .trim()
      .split('\n')
      .map((line) => ({ ...(JSON.parse(line) as Omit<BenchEntry, 'ran'>), ran }))
  : []
rmSync(scratch, { recursive: true, force: true })
const previous: BenchEntry[] = existsSync(RESULTS_JSON) ? JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) : []
const merged = [
  ...previous.filter((entry) => !fresh.some((update) => update.benchmark === entry.benchmark)),
  ...fresh,
].sort((a, b) => a.benchmark.localeCompare(b.benchmark))
writeFileSync(RESULTS_JSON, `${JSON.stringify(merged, null, 2)}\n`)
writeFileSync(RESULTS_MD, renderTable(merged))
console.log(`\nresults: ${fresh.length} benchmark(s) updated in bench/results.md`)
process.exit(failed ? 1 : 0)

function renderTable(entries: BenchEntry[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')
  const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : '**missed**')
  const lines = [
    '<!-- Written by `npm run bench` (bench/run.ts) from bench/results.json; do not edit by hand. -->',
    '',
    '| benchmark | measure | result | baseline (same run) | budget | verdict | ran |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const { benchmark, ran: when, rows } of entries) {
    for (const row of rows) {
      lines.push(
        `| \`${benchmark}\` | ${cell(row.measure)} | ${cell(row.result)} | ${cell(row.baseline)} | ${cell(row.budget)} | ${verdict(row.met)} | ${when} |`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}
