import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The CLI from source, run the way a user would: a real process, real ports. */
export const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url))
const TSX_LOADER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href

/** Variables the CLI reads; cleared so the caller's environment cannot leak into a test. */
const CONFIG_VARIABLES = /^(MONLIGHT_.*|API_KEY|LOG_LEVEL|DATABASE_URL)$/

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunningCli {
  child: ChildProcess
  /** Module base URLs from the banner. */
  urls: Record<string, string>
  /** The single-port index URL from the banner. */
  indexUrl: string | undefined
  /** The key from the banner's `API key:` line, when it shows one. */
  apiKey: string | undefined
  banner: string
  readyMs: number
  stderr(): string
  /** Sends `signal` and resolves when the process is gone, with how long that took. */
  stop(signal?: NodeJS.Signals): Promise<CliResult & { ms: number }>
}

const tempDirs: string[] = []

/** A new folder under the OS temp dir, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'monlight-server-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

function spawnCli(args: readonly string[], env: Record<string, string>, cwd?: string): ChildProcess {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !CONFIG_VARIABLES.test(name)),
  )
  return spawn(process.execPath, ['--conditions=@monlight/source', '--import', TSX_LOADER, CLI, ...args], {
    env: { ...base, ...env },
    cwd: cwd ?? tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function collect(child: ChildProcess): {
  stdout: () => string
  stderr: () => string
  exited: Promise<CliResult>
} {
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { stdout: () => stdout, stderr: () => stderr, exited }
}

const running = new Set<ChildProcess>()

/** Runs a command that exits by itself (`--help`, `migrate`, a config error). */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const child = spawnCli(args, options.env ?? {}, options.cwd)
  running.add(child)
  const result = await collect(child).exited
  running.delete(child)
  return result
}

/** Starts the server and resolves once its banner is printed. */
export async function startCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunningCli> {
  const child = spawnCli(args, options.env ?? {}, options.cwd)
  running.add(child)
  const output = collect(child)
  void output.exited.then(() => running.delete(child))

  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 15 s\n${output.stderr()}`)), 15_000)
    child.stdout!.on('data', () => {
      if (!/^API key: .*\n/m.test(output.stdout())) return
      clearTimeout(timer)
      resolve(output.stdout())
    })
    void output.exited.then((result) => {
      clearTimeout(timer)
      reject(new Error(`the CLI exited with ${result.code} before it was ready\n${result.stderr}`))
    })
  })

  const urls: Record<string, string> = {}
  for (const match of banner.matchAll(/^ {2}(\w+) +(http:\/\/\S+)$/gm)) urls[match[1]!] = match[2]!
  return {
    child,
    urls,
    indexUrl: /ready in \d+ ms at (http:\/\/\S+)/.exec(banner)?.[1],
    apiKey: /^API key: (ml_[A-Za-z0-9_-]{16,})\s/m.exec(banner)?.[1],
    banner,
    readyMs: Number(/ready in (\d+) ms/.exec(banner)![1]),
    stderr: output.stderr,
    async stop(signal = 'SIGTERM') {
      const started = Date.now()
      child.kill(signal)
      const result = await output.exited
      return { ...result, ms: Date.now() - started }
    },
  }
}

/** Kills whatever a failed test left running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
}
