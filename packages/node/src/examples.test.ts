/**
 * The examples in examples/*, run as a user would (`node index.js`, from source here), driven over HTTP: each must
 * record its requests and errors into the Monlight modules it embeds and serve their UIs.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))
const KEY = 'example-test-key'

describe.each(['express', 'koa', 'hono', 'node-http'])('examples/%s', (name) => {
  let child: ChildProcess
  let base: string
  const dir = mkdtempSync(join(tmpdir(), `monlight-example-${name}-`))
  const api = (path: string) => fetch(`${base}${path}`, { headers: { 'x-api-key': KEY } })

  beforeAll(async () => {
    child = spawn(process.execPath, ['--conditions=@monlight/source', '--import', 'tsx', 'index.js'], {
      cwd: join(EXAMPLES, name),
      env: {
        ...process.env,
        PORT: '0',
        MONLIGHT_API_KEY: KEY,
        MONLIGHT_DATABASE_URL: `sqlite:${join(dir, 'monlight.sqlite')}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const line = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`examples/${name} exited with ${code}`)))
      createInterface({ input: child.stdout! }).once('line', resolve)
    })
    base = /(http:\/\/localhost:\d+)\//.exec(line)?.[1] ?? ''
    expect(base).not.toBe('')
  })

  afterAll(async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers its routes and reports the error into the embedded tracker', async () => {
    expect((await fetch(`${base}/users/42`)).status).toBe(200)
    expect((await fetch(`${base}/users/43`)).status).toBe(200)
    expect((await fetch(`${base}/boom`)).status).toBe(500)
    await expect
      .poll(async () => (await api(`/monlight/errors/api/errors?project=example-${name}`)).text(), {
        timeout: 5000,
      })
      .toContain('Something broke in /boom')
  })

  it('records request metrics by route into the embedded collector', async () => {
    // The SDK flushes every second in the examples.
    await expect
      .poll(async () => (await api('/monlight/metrics/api/metrics/names')).text(), { timeout: 5000 })
      .toContain('http_request_duration_seconds')
    const labels = (await (
      await api('/monlight/metrics/api/metrics/labels?name=http_requests_total')
    ).json()) as {
      labels: Record<string, string[]>
    }
    expect(labels.labels.endpoint).toContain('/users/:id')
    expect(labels.labels.endpoint?.some((endpoint) => endpoint.includes('42'))).toBe(false)
    expect(labels.labels.status).toEqual(expect.arrayContaining(['200', '500']))
  })

  it('serves the Monlight UIs under /monlight', async () => {
    for (const path of ['/monlight/errors/', '/monlight/metrics/']) {
      const page = await fetch(`${base}${path}`)
      expect(page.status).toBe(200)
      expect(await page.text()).toMatch(/<html/i)
    }
  })
})
