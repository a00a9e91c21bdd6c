/**
 * The original Monlight's deploy/smoke-test.sh (upstream-contract §10.4), step by step, against the real CLI in
 * the port-per-module layout. Only hosts and ports differ from the original script: its checks are on raw
 * response text, as its greps were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const API_KEY = 'test_api_key_e2e_12345'
const ADMIN_KEY = 'test_admin_key_e2e_12345'
const ORIGIN = 'http://localhost:3000'

async function call(url: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const response = await fetch(url, init)
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const json = (key: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
  body: JSON.stringify(body),
})

describe('upstream smoke test against `monlight start`', () => {
  let cli: RunningCli
  let errors: string
  let logs: string
  let metrics: string
  let relay: string
  let publicKey = ''

  beforeAll(async () => {
    cli = await startCli(['--ports', '0,0,0,0', '--data-dir', tempDir()], {
      env: {
        API_KEY,
        ADMIN_API_KEY: ADMIN_KEY,
        LOG_SOURCES: tempDir('monlight-no-logs-'),
        CORS_ORIGINS: ORIGIN,
      },
    })
    ;({ errors, logs, metrics, relay } = cli.urls as Record<string, string>)
  })

  afterAll(() => {
    killAll()
    removeTempDirs()
  })

  it('1. every /health answers "status" and "ok"', async () => {
    for (const base of [errors, logs, metrics, relay]) {
      const health = await call(`${base}health`)
      expect(health.status).toBe(200)
      expect(health.text).toContain('"status"')
      expect(health.text).toContain('"ok"')
    }
  })

  it('2. error tracker: created, then incremented, then listed', async () => {
    const report = {
      project: 'e2e-test',
      environment: 'test',
      exception_type: 'TestError',
      message: 'E2E smoke test error',
      traceback:
        'Traceback (most recent call last):\n  File "/app/test.py", line 42, in test_func\n    raise TestError("E2E smoke test error")\nTestError: E2E smoke test error\n',
    }
    const first = await call(`${errors}api/errors`, json(API_KEY, report))
    expect(first.status).toBe(201)
    for (const word of ['"status"', '"created"', '"fingerprint"']) expect(first.text).toContain(word)
    expect((await call(`${errors}api/errors`, json(API_KEY, report))).status).toBe(200)
    const list = await call(`${errors}api/errors?project=e2e-test`, { headers: { 'x-api-key': API_KEY } })
    expect(list.status).toBe(200)
    expect(list.text).toContain('"TestError"')
  })

  it('3. log viewer with no logs: health, stats, containers, logs', async () => {
    const headers = { 'x-api-key': API_KEY }
    expect((await call(`${logs}health`)).status).toBe(200)
    for (const path of ['api/stats', 'api/containers', 'api/logs']) {
      expect((await call(`${logs}${path}`, { headers })).status, path).toBe(200)
    }
  })

  it('4. metrics: the {"metrics":[...]} form is accepted, then names are listed', async () => {
    const body = {
      metrics: [
        {
          name: 'http_requests_total',
          type: 'counter',
          value: 1,
          labels: { method: 'GET', endpoint: '/api/test', status: '200' },
        },
        {
          name: 'http_request_duration_seconds',
          type: 'histogram',
          value: 0.042,
          labels: { method: 'GET', endpoint: '/api/test' },
        },
        { name: 'active_connections', type: 'gauge', value: 5, labels: {} },
      ],
    }
    const accepted = await call(`${metrics}api/metrics`, json(API_KEY, body))
    expect(accepted.status).toBe(202)
    expect(accepted.text).toContain('"accepted"')
    expect(accepted.text).toContain('"count"')
    expect((await call(`${metrics}api/metrics/names`, { headers: { 'x-api-key': API_KEY } })).status).toBe(
      200,
    )
  })

  it('5. the web UIs answer at the module roots', async () => {
    for (const base of [errors, logs, metrics]) {
      const page = await call(base)
      expect(page.status).toBe(200)
      expect(page.text).toMatch(/<html/i)
      expect(page.text).toMatch(/tailwind|class=/)
    }
  })

  it('6. relay: a DSN key is created with a 32-character public key, then listed', async () => {
    const created = await call(`${relay}api/dsn-keys`, json(ADMIN_KEY, { project: 'e2e-test' }))
    expect(created.status).toBe(201)
    publicKey = /"public_key":"([^"]*)"/.exec(created.text)?.[1] ?? ''
    expect(publicKey).toHaveLength(32)
    const list = await call(`${relay}api/dsn-keys`, { headers: { 'x-api-key': ADMIN_KEY } })
    expect(list.status).toBe(200)
    expect(list.text).toContain(publicKey)
  })

  it('7. a browser error is accepted', async () => {
    const sent = await call(
      `${relay}api/browser/errors`,
      json(
        '',
        {
          type: 'TypeError',
          message: "Cannot read properties of undefined (reading 'foo')",
          stack:
            "TypeError: Cannot read properties of undefined (reading 'foo')\n    at onClick (app.min.js:1:2345)",
          url: 'https://example.com/dashboard',
          user_agent: 'Mozilla/5.0 (E2E Test)',
          session_id: 'e2e-test-session-001',
          environment: 'test',
        },
        { 'x-monlight-key': publicKey, origin: ORIGIN },
      ),
    )
    expect(sent.status, sent.text).toBe(201)
  })

  it('8. browser metrics are accepted', async () => {
    const sent = await call(
      `${relay}api/browser/metrics`,
      json(
        '',
        {
          metrics: [
            { name: 'web_vitals_lcp', type: 'histogram', value: 2500 },
            { name: 'web_vitals_inp', type: 'histogram', value: 150 },
            { name: 'web_vitals_cls', type: 'histogram', value: 0.05 },
          ],
          session_id: 'e2e-test-session-001',
          url: 'https://example.com/dashboard?tab=1',
        },
        { 'x-monlight-key': publicKey, origin: ORIGIN },
      ),
    )
    expect(sent.status, sent.text).toBe(202)
    expect(sent.text).toContain('"accepted"')
  })

  it('9–10. the browser error and the vitals reached the error tracker and the metrics collector', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const browserErrors = await call(`${errors}api/errors?project=e2e-test&source=browser`, {
      headers: { 'x-api-key': API_KEY },
    })
    expect(browserErrors.status).toBe(200)
    expect(browserErrors.text).toContain('"TypeError"')
    const names = await call(`${metrics}api/metrics/names`, { headers: { 'x-api-key': API_KEY } })
    expect(names.status).toBe(200)
    expect(names.text).toContain('web_vitals_lcp')
  })

  it('11. a source map is uploaded', async () => {
    const uploaded = await call(
      `${relay}api/source-maps`,
      json(ADMIN_KEY, {
        project: 'e2e-test',
        release: '1.0.0',
        file_url: '/static/app.min.js',
        map_content: '{"version":3,"sources":["app.ts"],"mappings":"AAAA"}',
      }),
    )
    expect(uploaded.status, uploaded.text).toBe(201)
    expect(uploaded.text).toContain('"uploaded"')
  })

  it('12. the preflight allows the origin and the method', async () => {
    const preflight = await fetch(`${relay}api/browser/errors`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(preflight.headers.get('access-control-allow-methods')).toBeTruthy()
  })

  it('13. rapid browser posts are rate limited', async () => {
    let limited = false
    for (let i = 0; i < 301 && !limited; i++) {
      const response = await fetch(`${relay}api/browser/errors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-monlight-key': publicKey },
        body: '{"type":"RateTest","message":"test","stack":"test"}',
      })
      await response.arrayBuffer()
      limited = response.status === 429
    }
    expect(limited).toBe(true)
  })

  it('14. SIGTERM stops the server with exit code 0 within 10 s', async () => {
    const stopped = await cli.stop('SIGTERM')
    expect(stopped.code).toBe(0)
    expect(stopped.ms).toBeLessThan(10_000)
  })
})
