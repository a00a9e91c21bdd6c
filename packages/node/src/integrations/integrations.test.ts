import type { ErrorReport, MetricPoint } from '@monlight/core'
import { startHttpReceiver } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, FRAMEWORKS, listen } from '../__fixtures__/framework-apps.js'

describe.each(Object.entries(FRAMEWORKS))('%s integration', (name, build) => {
  let receiver: Awaited<ReturnType<typeof startHttpReceiver>>
  let app: App
  let base: string

  beforeAll(async () => {
    receiver = await startHttpReceiver((request) =>
      request.path === '/api/errors'
        ? { status: 201, body: { status: 'created', id: 1, fingerprint: '0'.repeat(32) } }
        : { status: 202, body: { status: 'accepted', count: 1 } },
    )
    app = build({
      errorTrackerUrl: receiver.url,
      metricsCollectorUrl: receiver.url,
      apiKey: 'sdk-key',
      project: 'shop',
      environment: 'test',
      flushOnShutdown: false,
    })
    base = await listen(app)

    await fetch(`${base}/users/42`)
    await fetch(`${base}/users/43`)
    await fetch(`${base}/boom`, { headers: { authorization: 'Bearer secret', 'x-trace': 't1' } })
    await fetch(`${base}/nowhere/123`)
    await app.monlight.flush()
  })

  afterAll(async () => {
    await app.monlight.shutdown()
    await new Promise((resolve) => app.server.close(resolve))
    await receiver.close()
  })

  const points = () =>
    receiver.received.filter((r) => r.path === '/api/metrics').flatMap((r) => r.body as MetricPoint[])
  const reports = () =>
    receiver.received.filter((r) => r.path === '/api/errors').map((r) => r.body as ErrorReport)

  it('counts requests by method, route template and status', () => {
    const counters = points().filter((point) => point.name === 'http_requests_total')
    const counts = counters.map((point) => point.labels)
    expect(counters.find((point) => point.labels?.endpoint === app.userRoute)).toMatchObject({
      labels: { method: 'GET', endpoint: app.userRoute, status: '200' },
      value: 2,
    })
    expect(counts).toContainEqual({
      method: 'GET',
      endpoint: expect.stringMatching(/^\/boom$/),
      status: '500',
    })
    expect(counts).toContainEqual({ method: 'GET', endpoint: '(unmatched)', status: '404' })
    expect(counts.some((labels) => String(labels?.endpoint).includes('42'))).toBe(false)
  })

  it('records the duration of each request in seconds', () => {
    const durations = points().filter((point) => point.name === 'http_request_duration_seconds')
    expect(durations.reduce((sum, point) => sum + (point.count ?? 1), 0)).toBe(4)
    for (const point of durations) {
      expect(point.type).toBe('histogram')
      expect(point.value).toBeGreaterThanOrEqual(0)
      expect(point.value).toBeLessThan(5)
      expect(point.project).toBe('shop')
    }
  })

  it('reports the unhandled error once, with its request and without secrets', () => {
    expect(reports()).toHaveLength(1)
    const [report] = reports()
    expect(report).toMatchObject({
      project: 'shop',
      environment: 'test',
      exception_type: 'Error',
      message: 'kaboom',
    })
    expect(report?.traceback).toMatch(/^Error: kaboom\n {4}at /)
    expect(report?.request_method).toBe('GET')
    expect(report?.request_url).toBe(`${base}/boom`)
    // The route template as the framework knows it (plain node:http has none).
    const route = (report?.extra as { route?: unknown } | undefined)?.route
    expect(route).toBe(name === 'node:http' ? undefined : '/boom')
    const headers = report?.request_headers as Record<string, string>
    expect(headers['x-trace']).toBe('t1')
    expect(headers.authorization).toBeUndefined()
  })
})
