/**
 * examples/standalone as its README says: the server started from the example's config file, then its `send.js`
 * reporting over HTTP. The error, the log line and the request metrics must arrive.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const EXAMPLE = fileURLToPath(new URL('../../../examples/standalone/', import.meta.url))
const KEY = 'example-standalone-key' // the example's monlight.env

describe('examples/standalone', () => {
  let cli: RunningCli
  const base = (module: string) => cli.urls[module]!.replace(/\/$/, '')
  const api = async (module: string, path: string) =>
    (await fetch(`${base(module)}${path}`, { headers: { 'x-api-key': KEY } })).json()

  beforeAll(async () => {
    // The example's own settings, with free ports and a temporary data folder instead of 5010–5013 and ./data.
    cli = await startCli(
      ['--config', join(EXAMPLE, 'monlight.env'), '--ports', '0,0,0,0', '--data-dir', tempDir()],
      { env: { AGGREGATION_INTERVAL: '1' }, cwd: tempDir() },
    )
  })

  afterAll(async () => {
    await cli?.stop()
    killAll()
    removeTempDirs()
  })

  it('takes the key from the config file and does not print it', () => {
    expect(cli.banner).not.toContain(KEY)
    expect(cli.apiKey).toBeUndefined()
  })

  it('receives what send.js reports', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@monlight/source', '--import', 'tsx', 'send.js'],
      {
        cwd: EXAMPLE,
        env: {
          ...process.env,
          MONLIGHT_ERRORS_URL: base('errors'),
          MONLIGHT_LOGS_URL: base('logs'),
          MONLIGHT_METRICS_URL: base('metrics'),
        },
      },
    )
    expect(stdout).toContain('"status":"created"')
    expect(stdout).toContain('log line sent: 202')

    const errors = (await api('errors', '/api/errors?project=example-standalone&environment=demo')) as {
      errors: { exception_type: string }[]
    }
    expect(errors.errors).toEqual([expect.objectContaining({ exception_type: 'SyntaxError' })])
    const logs = (await api('logs', '/api/logs?container=example-standalone')) as {
      logs: { message: string }[]
    }
    expect(logs.logs.map((entry) => entry.message)).toEqual(['cart checkout took 310 ms'])
    await expect
      .poll(
        async () =>
          (
            (await api('metrics', '/api/metrics?name=http_requests_total&period=1h&resolution=minute')) as {
              data: { sum: number }[]
            }
          ).data.reduce((total, bucket) => total + bucket.sum, 0),
        { timeout: 10_000, interval: 500 },
      )
      .toBe(3)
  })
})
