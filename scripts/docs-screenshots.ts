/**
 * Regenerates the screenshots of the docs home page (docs/public/screenshots/*.png): starts the standalone
 * server on a free port with a scratch data dir, reports a few errors, logs and metrics through its HTTP APIs as
 * clients would, and photographs each module UI in Chromium (Debian's /usr/bin/chromium).
 *
 *   npx tsx --conditions=@monlight/source scripts/docs-screenshots.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@monlight/core'
import { startServer } from '@monlight/server'
import { launchBrowser } from '@monlight/test-utils'

const KEY = 'docs-screenshots-key'
const OUT = new URL('../docs/public/screenshots/', import.meta.url).pathname
const dataDir = mkdtempSync(join(tmpdir(), 'monlight-screens-'))
const server = await startServer(
  { dataDir, apiKeys: [KEY], port: 0, host: '127.0.0.1' },
  { logger: silentLogger },
)
const base = server.indexUrl!
const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => {
    if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  })

try {
  const now = Date.now()
  const errors = [
    ['TypeError', "Cannot read properties of undefined (reading 'total')", 'checkout', 'web'],
    ['ConnectionRefusedError', 'connect ECONNREFUSED 10.0.0.12:5432', 'orders', 'api'],
    ['ValueError', 'invalid literal for int() with base 10', 'billing', 'worker'],
  ]
  for (const [type, message, project, component] of errors) {
    for (let i = 0; i < 3; i++) {
      await post('errors/api/errors', {
        project,
        exception_type: type,
        message,
        traceback: `Traceback (most recent call last):\n  File "/app/${component}.py", line 42, in handle\n${type}: ${message}`,
        environment: 'production',
      })
    }
  }
  const lines = []
  for (let i = 0; i < 60; i++) {
    const level = i % 9 === 0 ? 'ERROR' : i % 4 === 0 ? 'WARNING' : 'INFO'
    lines.push({
      container: ['api', 'web', 'worker'][i % 3],
      timestamp: now - (60 - i) * 20_000,
      level,
      message:
        level === 'ERROR'
          ? `payment failed for order ${1000 + i}: card declined`
          : level === 'WARNING'
            ? `slow query on orders took ${300 + i * 7} ms`
            : `GET /api/orders/${1000 + i} 200 ${10 + (i % 30)} ms`,
      attributes: { user_id: 40 + (i % 7), 'http.route': '/api/orders/:id' },
    })
  }
  await post('logs/api/logs', lines)
  const points = []
  for (let minute = 60; minute > 0; minute--) {
    for (const status of [200, 200, 200, 500]) {
      points.push({
        name: 'http_requests_total',
        type: 'counter',
        value: 3,
        labels: { status: String(status) },
        timestamp: new Date(now - minute * 60_000).toISOString(),
      })
      points.push({
        name: 'http_request_duration_seconds',
        type: 'histogram',
        value: 0.05 + ((minute * 7) % 40) / 100,
        timestamp: new Date(now - minute * 60_000).toISOString(),
      })
    }
  }
  for (let i = 0; i < points.length; i += 1000) await post('metrics/api/metrics', points.slice(i, i + 1000))
  const metrics = server.modules.find((module) => module.name === 'metrics')!
  await (metrics.service as { flush(): Promise<void>; aggregate(): Promise<unknown> }).aggregate()
  await post('relay/api/dsn-keys', { project: 'web', allowed_origins: ['https://shop.example.com'] })

  mkdirSync(OUT, { recursive: true })
  const browser = await launchBrowser()
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(`${base}errors/`)
    await page.evaluate((key) => localStorage.setItem('monlight.api_key', key), KEY)
    for (const [name, path, ready] of [
      ['errors', 'errors/', '.error-row, tbody tr'],
      ['logs', 'logs/', '.log-row'],
      ['metrics', 'metrics/', 'canvas, .chart'],
      ['relay', 'relay/', 'tbody tr'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await page.locator(ready).first().waitFor({ timeout: 10_000 })
      await page.waitForTimeout(500)
      await page.screenshot({ path: join(OUT, `${name}.png`) })
      console.log(`screenshot ${join(OUT, `${name}.png`)}`)
    }
  } finally {
    await browser.close()
  }
} finally {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
}
