import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, it } from 'vitest'

const CHILD = fileURLToPath(new URL('./__fixtures__/signals-child.ts', import.meta.url))
const TSX_LOADER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href

/** Starts the child, sends each signal after its delay, and resolves with the exit code and stderr. */
async function run(
  args: string[],
  signals: [NodeJS.Signals, number][],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@monlight/source', '--import', TSX_LOADER, CHILD, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  for (const [signal, delayMs] of signals) {
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    child.kill(signal)
  }
  return { code: await exited, stderr }
}

describe.concurrent('exitOnSignals', () => {
  it('exits 0 once close() is done', async ({ expect }) => {
    const result = await run(['100'], [['SIGTERM', 0]])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('shutting down signal=SIGTERM')
    expect(result.stderr).toContain('stopped')
  })

  it('exits at once on a second signal', async ({ expect }) => {
    const result = await run(
      ['never'],
      [
        ['SIGINT', 0],
        ['SIGINT', 200],
      ],
    )
    expect(result.code).toBe(130)
    expect(result.stderr).toContain('second signal')
  })

  it('exits 1 when close() overruns the limit', async ({ expect }) => {
    const result = await run(['never', '300'], [['SIGTERM', 0]])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('shutdown did not finish in time')
  })
})
