import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { SeverityNumber } from '@opentelemetry/api-logs'
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto'
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto'
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SeenRequest, serveRelayWithStores } from '../../__fixtures__/harness.js'

// The real OpenTelemetry JS SDKs and exporters (JSON and protobuf) reporting through the relay into the real stores.
const KEY = 'otlp-test-api-key'
let stack: Awaited<ReturnType<typeof serveRelayWithStores>>
let base: string
let errors: typeof stack.errors
let logs: typeof stack.logs
let metrics: typeof stack.metrics
let requests: SeenRequest[]

beforeAll(async () => {
  stack = await serveRelayWithStores(KEY)
  ;({ base, errors, logs, metrics, requests } = stack)
})

afterAll(() => stack.close())

const headers = { Authorization: `Bearer ${KEY}` }
const exporters = [
  { name: 'http/json', json: true },
  { name: 'http/protobuf', json: false },
] as const

describe.each(exporters)('OpenTelemetry logs over $name', ({ name, json }) => {
  it('arrive with level, body, attributes, resource and trace ids, searchable', async () => {
    const url = `${base}/v1/logs`
    const exporter = json
      ? new JsonLogExporter({ url, headers, compression: 'gzip' as never })
      : new ProtoLogExporter({ url, headers })
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({
        'service.name': `checkout-${json ? 'json' : 'proto'}`,
        'host.name': 'web-1',
      }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    })
    const logger = provider.getLogger('orders', '1.0.0')
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: `payment declined via ${name}`,
      attributes: { 'order.id': 4711, user_id: 'u-42', retry: true },
    })
    logger.emit({ severityNumber: SeverityNumber.INFO, body: { event: 'shipped', items: [1, 2] } })
    await provider.forceFlush()
    await provider.shutdown()

    const container = `checkout-${json ? 'json' : 'proto'}`
    const page = await logs.service.query({ container })
    expect(page.logs).toHaveLength(2)
    const declined = page.logs.find((entry) => entry.message === `payment declined via ${name}`)
    expect(declined).toMatchObject({
      level: 'ERROR',
      attributes: {
        'order.id': 4711,
        user_id: 'u-42',
        retry: true,
        resource: { 'service.name': container, 'host.name': 'web-1' },
        scope: 'orders',
      },
    })
    const shipped = page.logs.find((entry) => entry.level === 'INFO')
    expect(JSON.parse(shipped!.message)).toEqual({ event: 'shipped', items: [1, 2] })
    expect((await logs.service.query({ search: 'declined', container })).logs).toHaveLength(1)
    const sent = requests.filter((r) => r.path === '/v1/logs' && r.type.includes(json ? 'json' : 'protobuf'))
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.every((r) => r.status === 200)).toBe(true)
    if (json) expect(sent.some((r) => r.encoding === 'gzip')).toBe(true)
  })
})

describe.each(exporters)('OpenTelemetry metrics over $name', ({ json }) => {
  it('turn cumulative counters into increments, histograms into percentiles and keep gauges', async () => {
    const url = `${base}/v1/metrics`
    const exporter = json
      ? new JsonMetricExporter({ url, headers })
      : new ProtoMetricExporter({ url, headers })
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    const service = `billing-${json ? 'json' : 'proto'}`
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'process.pid': 1234 }),
      readers: [reader],
    })
    const meter = provider.getMeter('billing')
    const invoices = meter.createCounter('invoices_sent')
    const latency = meter.createHistogram('invoice_latency_ms', {
      advice: { explicitBucketBoundaries: [10, 50, 100, 500] },
    })
    meter.createObservableGauge('queue_depth').addCallback((result) => result.observe(7, { queue: 'mail' }))
    invoices.add(3, { plan: 'pro' })
    for (const value of [20, 30, 40, 70, 300]) latency.record(value, { route: '/invoices' })
    await reader.forceFlush()
    invoices.add(2, { plan: 'pro' })
    await reader.forceFlush()
    await provider.shutdown()
    await metrics.service.flush()
    await metrics.service.aggregate()

    const names = (await metrics.service.names(service)).metrics.map((m) => m.name)
    expect(names).toEqual(expect.arrayContaining(['invoices_sent', 'invoice_latency_ms', 'queue_depth']))
    const counted = await metrics.service.query({
      name: 'invoices_sent',
      period: '1h',
      project: service,
    } as never)
    // 3, then 5 cumulative: increments 3 and 2 (the series started after the relay did, so its first value counts).
    expect(JSON.stringify(counted)).toMatch(/"sum":5\b/)
    const histogram = (await metrics.service.query({
      name: 'invoice_latency_ms',
      period: '1h',
      project: service,
    } as never)) as { data: { count: number; p50?: number; p95?: number }[] }
    const total = histogram.data.reduce((sum, bucket) => sum + bucket.count, 0)
    expect(total).toBe(5)
    const gauge = await metrics.service.query({
      name: 'queue_depth',
      period: '1h',
      project: service,
    } as never)
    expect(JSON.stringify(gauge)).toMatch(/"last":7\b|"max":7\b/)
    // The resource's pid is not a label: only the allow-listed attributes are.
    expect(JSON.stringify(counted)).not.toContain('1234')
  })
})

describe.each(exporters)('OpenTelemetry traces over $name', ({ json }) => {
  it('server spans become RED metrics and exception events error groups', async () => {
    const url = `${base}/v1/traces`
    const exporter = json ? new JsonTraceExporter({ url, headers }) : new ProtoTraceExporter({ url, headers })
    const service = `api-${json ? 'json' : 'proto'}`
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'staging' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    })
    const tracer = provider.getTracer('http')
    const ok = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.route': '/orders/:id',
        'http.request.method': 'GET',
        'http.response.status_code': 200,
      },
    })
    ok.end()
    const failing = tracer.startSpan('POST /checkout', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/checkout', 'http.request.method': 'POST' },
    })
    failing.recordException(new TypeError(`cart is empty (${service})`))
    failing.setStatus({ code: SpanStatusCode.ERROR })
    failing.end()
    await provider.forceFlush()
    await provider.shutdown()

    const list = await errors.service.list({ resolved: false, limit: 50, offset: 0 })
    const group = list.errors.find((e) => e.message === `cart is empty (${service})`)
    expect(group).toMatchObject({ exception_type: 'TypeError', project: service })
    const event = (await errors.service.get(group!.id)).occurrences[0]!.event!
    expect(event.exceptions?.[0]?.frames.length).toBeGreaterThan(0)
    expect(event.tags).toMatchObject({ route: '/checkout', service })
    await metrics.service.flush()
    await metrics.service.aggregate()
    const names = (await metrics.service.names(service)).metrics.map((m) => m.name)
    expect(names).toEqual(
      expect.arrayContaining(['otel_server_duration_milliseconds', 'otel_server_errors_total']),
    )
  })
})
