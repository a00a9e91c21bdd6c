import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
  /** Seconds per run. Default BENCH_DURATION or 5. */
  duration?: number
  connections?: number
}

export interface LoadResult {
  requestsPerSecond: number
  /** Requests completed in the run. */
  requests: number
  latencyP99Ms: number
  errors: number
  non2xx: number
}

/** Drives one server with autocannon (HTTP/1.1 keep-alive) and returns its mean throughput. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    body: options.body,
    headers: options.headers,
    duration: options.duration ?? Number(process.env.BENCH_DURATION ?? 5),
    connections: options.connections ?? 32,
  })
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

export interface ServerProcess {
  url: string
  rssMiB(): number
  /**
   * CPU seconds (user + system) the server has used so far. The machines are shared, so req/s drift with other
   * load; CPU time per request drifts much less.
   */
  cpuSeconds(): number
  stop(): void
}

/**
 * Starts a server script from bench/servers in its own process; it prints its URL on its first line. `env` is
 * added to the child's environment.
 */
export async function startServer(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const file = fileURLToPath(new URL(`./servers/${script}`, import.meta.url))
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@monlight/source', '--import', 'tsx', file],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  )
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', resolve)
  })
  return {
    url,
    rssMiB: () => rssMiB(child.pid!),
    cpuSeconds: () => {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in clock ticks of 10 ms
    },
    stop: () => child.kill(),
  }
}

/** Resident set size of a process, in MiB (0 once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

/** One row of the results table that `npm run bench` writes to bench/results.md (shown by docs/benchmarks.md). */
export interface BenchRow {
  /** What was measured, e.g. `HTTP ingest, 1 new group in 10`. */
  measure: string
  result: string
  /** The baseline of the same run, and the ratio to it. */
  baseline: string
  budget: string
  /** undefined where there is no budget. */
  met?: boolean
}

/**
 * Prints the rows and hands them to the runner (through the file named by BENCH_RESULTS), which merges them
 * into the results table. The benchmark is named after its file.
 */
export function report(rows: BenchRow[]): void {
  const benchmark = basename(process.argv[1] ?? 'unknown').replace(/\.bench\.ts$/, '')
  for (const row of rows) {
    const verdict = row.met === undefined ? '' : row.met ? ' (met)' : ' (MISSED)'
    console.log(`→ ${row.measure}: ${row.result}; baseline ${row.baseline}; budget ${row.budget}${verdict}`)
  }
  const file = process.env.BENCH_RESULTS
  if (file) appendFileSync(file, `${JSON.stringify({ benchmark, rows })}\n`)
}
