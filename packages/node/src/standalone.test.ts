/**
 * The SDK against a real standalone Monlight server (the `monlight` stack in this process, SQLite files), side by
 * side with the payloads of the original Python client: both are accepted the same way, and the dashboard turns
 * the request metrics of an Express, Koa, Hono and node:http app into request rate, latency and error rate.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@monlight/core'
import { type MonlightServer, startServer } from '@monlight/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS, listen } from './__fixtures__/framework-apps.js'
import { ErrorClient } from './errors/error-client.js'
import { MetricsClient } from './metrics/metrics-client.js'

const KEY = 'sdk-standalone-key'
const PYTHON_TRACEBACK = `Traceback (most recent call last):
  File "/app/app/main.py", line 20, in checkout
    total = compute_total(cart)
  File "/app/app/pricing.py", line 56, in compute_total
    raise ValueError("empty cart")
ValueError: empty cart
`

describe('the SDK and the Python client against monlight start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'monlight-sdk-'))
  let monlight: MonlightServer
  const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })

  beforeAll(async () => {
    monlight = await startServer(
      { dataDir, apiKeys: [KEY], ports: { errors: 0, logs: 0, metrics: 0, relay: 0 }, host: '127.0.0.1' },
      { logger: silentLogger, env: { LOG_SOURCES: dataDir } },
    )
  })
  afterAll(async () => {
    await monlight.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('accepts the Python client error payload and the SDK report alike: created, then incremented', async () => {
    const python = {
      project: 'shop',
      exception_type: 'ValueError',
      message: 'empty cart',
      traceback: PYTHON_TRACEBACK,
      request_url: 'http://shop.test/checkout?step=2',
      request_method: 'POST',
      request_headers: { 'user-agent': 'python-httpx/0.27' },
      user_id: '42',
      extra: { cart: 7 },
    }
    const first = await post(`${monlight.urls.errors}api/errors`, python)
    expect(first.status).toBe(201)
    expect(await first.json()).toMatchObject({ status: 'created' })
    expect((await post(`${monlight.urls.errors}api/errors`, python)).status).toBe(200)

    const client = new ErrorClient({
      baseUrl: monlight.urls.errors!,
      apiKey: KEY,
      project: 'shop',
      logger: silentLogger,
    })
    const error = new TypeError('cart.items is undefined')
    expect(await client.report(error)).toMatchObject({ status: 'created' })
    expect(await client.report(error)).toMatchObject({ status: 'incremented', count: 2 })
  })

  it('accepts the Python client metrics payload and the SDK batches alike', async () => {
    const stamp = `${new Date().toISOString().slice(0, 19)}Z`
    const python = [
      {
        name: 'orders_total',
        type: 'counter',
        value: 1,
        timestamp: stamp,
        labels: { status: 'paid' },
        project: 'shop',
      },
      { name: 'render_seconds', type: 'histogram', value: 0.42, timestamp: stamp, project: 'shop' },
      { name: 'queue_depth', type: 'gauge', value: 17, timestamp: stamp, project: 'shop' },
    ]
    const accepted = await post(`${monlight.urls.metrics}api/metrics`, python)
    expect(accepted.status).toBe(202)
    expect(await accepted.json()).toEqual({ status: 'accepted', count: 3 })

    const metrics = new MetricsClient({
      baseUrl: monlight.urls.metrics!,
      apiKey: KEY,
      project: 'shop',
      logger: silentLogger,
    })
    metrics.counter('orders_total', { status: 'paid' })
    for (const seconds of [0.4, 0.41, 0.42]) metrics.histogram('render_seconds', seconds)
    metrics.gauge('queue_depth', 18)
    await metrics.shutdown()
    expect(metrics.buffered).toBe(0)
    const names = (await (
      await fetch(`${monlight.urls.metrics}api/metrics/names?project=shop`, { headers })
    ).json()) as {
      metrics: { name: string; type: string }[]
    }
    expect(names.metrics.map((metric) => metric.name).sort()).toEqual([
      'orders_total',
      'queue_depth',
      'render_seconds',
    ])
  })

  it.each(Object.keys(FRAMEWORKS))(
    'shows a %s app on the dashboard: request count, latency and error rate',
    async (framework) => {
      const project = `dash-${framework.replace(':', '-')}`
      const app = FRAMEWORKS[framework]!({
        errorTrackerUrl: monlight.urls.errors,
        metricsCollectorUrl: monlight.urls.metrics,
        apiKey: KEY,
        project,
        flushOnShutdown: false,
        logger: silentLogger,
      })
      const base = await listen(app)
      for (let i = 0; i < 18; i++) await (await fetch(`${base}/users/${i}`)).arrayBuffer()
      for (let i = 0; i < 2; i++) await (await fetch(`${base}/boom`)).arrayBuffer()
      await app.monlight.shutdown()
      await new Promise((resolve) => app.server.close(resolve))

      const metricsModule = monlight.modules.find((module) => module.name === 'metrics')!
      await (metricsModule.service as { aggregate(): Promise<unknown> }).aggregate()
      const dashboard = (await (
        await fetch(`${monlight.urls.metrics}api/dashboard?period=1h&project=${project}`, { headers })
      ).json()) as {
        http: {
          requests: number
          error_rate: number
          p50: number
          p99: number
          timeseries: { request_rate: number }[]
        }
      }
      expect(dashboard.http.requests).toBe(20)
      expect(dashboard.http.error_rate).toBe(0.1)
      expect(dashboard.http.p50).toBeGreaterThan(0)
      expect(dashboard.http.p99).toBeGreaterThanOrEqual(dashboard.http.p50)
      expect(dashboard.http.timeseries.at(-1)?.request_rate).toBeGreaterThan(0)
      const labels = (await (
        await fetch(
          `${monlight.urls.metrics}api/metrics/labels?name=http_requests_total&project=${project}`,
          {
            headers,
          },
        )
      ).json()) as { labels: Record<string, string[]> }
      expect(labels.labels.endpoint).toContain(app.userRoute)

      const errors = await (
        await fetch(`${monlight.urls.errors}api/errors?project=${project}`, { headers })
      ).text()
      expect(errors).toContain('kaboom')
    },
  )
})
