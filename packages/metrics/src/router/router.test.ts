import { describeAdapters } from '@monlight/test-utils'
import { afterAll, expect, it } from 'vitest'
import { API_KEY, createHarness } from '../__fixtures__/harness.js'

const harness = await createHarness('sqlite')
afterAll(() => harness.close())

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
const authed = { headers: { 'x-api-key': API_KEY } }

/** The upstream smoke test's metrics payload (deploy/smoke-test.sh step 4). */
const SMOKE = {
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
/** What the upstream Python MetricsClient flushes: a bare array with second-precision timestamps. */
const PYTHON = [
  {
    name: 'http_requests_total',
    type: 'counter',
    value: 1,
    timestamp: '2026-01-20T10:00:01Z',
    labels: { method: 'GET', endpoint: '/users/{id}', status: '200' },
    project: 'api',
  },
  {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    value: 0.0123,
    timestamp: '2026-01-20T10:00:01Z',
    labels: { method: 'GET', endpoint: '/users/{id}', status: '200' },
    project: 'api',
  },
]

describeAdapters(
  'metrics HTTP API',
  () => harness.metrics.router,
  (target) => {
    it('accepts the smoke test object form and the Python client bare array with 202', async () => {
      for (const body of [SMOKE, PYTHON]) {
        const response = await target.fetch('/api/metrics', json(body))
        expect(response.status).toBe(202)
        expect(await response.text()).toBe(
          `{"status":"accepted","count":${(Array.isArray(body) ? body : body.metrics).length}}`,
        )
      }
      const names = await target.fetch('/api/metrics/names', authed)
      expect(names.status).toBe(200)
      expect(await names.json()).toMatchObject({
        metrics: expect.arrayContaining([{ name: 'active_connections', type: 'gauge' }]),
      })
    })

    it('answers bad bodies with upstream messages', async () => {
      const cases: [string, number, string][] = [
        ['{', 400, 'Invalid JSON'],
        ['{"name":"x"}', 400, 'Request body must be a JSON array'],
        ['"text"', 400, 'Request body must be a JSON array'],
        ['[]', 400, 'Metrics array must not be empty'],
        ['[{"name":"a","type":"counter"}]', 400, 'Missing required field: value'],
        [
          JSON.stringify([{ name: 'a', type: 'x'.repeat(600_000), value: 1 }]),
          413,
          'Request body exceeds maximum size',
        ],
      ]
      for (const [body, status, detail] of cases) {
        const response = await target.fetch('/api/metrics', json(body))
        expect(response.status, body.slice(0, 40)).toBe(status)
        expect(((await response.json()) as { detail: string }).detail).toBe(detail)
      }
      // A value of the wrong type keeps upstream's detail; the hint says what was sent.
      const typed = await target.fetch('/api/metrics', json('[{"name":"a","type":"counter","value":"1"}]'))
      expect(await typed.json()).toEqual({
        detail: 'Missing required field: value',
        code: 'VALIDATION_FAILED',
        hint: 'metric 0: value must be a JSON number, not a string ("1")',
      })
    })

    it('requires the API key except for /health and the UI', async () => {
      expect((await target.fetch('/api/metrics/names')).status).toBe(401)
      expect((await target.fetch(`/api/metrics/names?api_key=${API_KEY}`)).status).toBe(200)
      const health = await target.fetch('/health')
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'ok', metrics_received_24h: expect.any(Number) })
      const page = await target.fetch('/')
      expect(page.status).toBe(200)
      expect(await page.text()).toMatch(/<html/i)
    })

    it('validates query parameters with a 400 naming the parameter', async () => {
      const cases: [string, string][] = [
        ['/api/metrics', 'Missing required parameter: name'],
        ['/api/metrics?name=a&period=abc', "Invalid parameter 'period'"],
        ['/api/metrics?name=a&period=0h', "Invalid parameter 'period'"],
        ['/api/metrics?name=a&resolution=week', "Invalid parameter 'resolution'"],
        ['/api/metrics?name=a&labels=x', "Invalid parameter 'labels'"],
        ['/api/dashboard?period=forever', "Invalid parameter 'period'"],
        ['/api/metrics/labels', 'Missing required parameter: name'],
      ]
      for (const [path, detail] of cases) {
        const response = await target.fetch(path, authed)
        expect(response.status, path).toBe(400)
        expect(((await response.json()) as { detail: string }).detail).toContain(detail)
      }
    })

    it('serves queries, projects, the dashboard and the Prometheus exposition', async () => {
      const query = await target.fetch(
        '/api/metrics?name=http_requests_total&period=1h&labels=method%3AGET',
        authed,
      )
      expect(query.status).toBe(200)
      expect(await query.json()).toMatchObject({
        name: 'http_requests_total',
        resolution: 'minute',
        period: '1h',
        data: expect.any(Array),
      })
      expect(await (await target.fetch('/api/projects', authed)).json()).toEqual({ projects: ['api'] })
      const dashboard = await target.fetch('/api/dashboard?period=7d', authed)
      expect(dashboard.status).toBe(200)
      expect(await dashboard.json()).toMatchObject({
        period: '7d',
        summary: expect.any(Object),
        top_metrics: expect.any(Array),
      })
      const prometheus = await target.fetch('/metrics/prometheus', authed)
      expect(prometheus.status).toBe(200)
      expect(prometheus.headers.get('content-type')).toContain('text/plain; version=0.0.4')
      expect(await prometheus.text()).toContain('# TYPE active_connections gauge')
    })
  },
)
