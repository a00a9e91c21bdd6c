/**
 * The relay's receivers over HTTP (keep-alive, 8 connections), each request carrying 1,000 records or samples with
 * client timestamps, encoded by the protocol's own client code:
 * - OTLP logs, protobuf (the OpenTelemetry JS serializer): records/s into the searchable logs store (budget
 *   ≥ 100,000/s);
 * - Prometheus remote_write v1 (prometheus-remote-write's encoder + snappy), 50 series with timestamps spread over
 *   the last minute: samples/s into the metrics store, against VictoriaMetrics (Debian `victoria-metrics`)
 *   ingesting the very same bodies on its own `/api/v1/write` in the same run (budget ≥ 300,000/s, ≥ ×0.5);
 * - OTLP metrics, protobuf, the same 1,000 gauge points: samples/s.
 * Alternating rounds, medians. Without `victoria-metrics` on the PATH the ratio is reported as not measured.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics'
import { compressSync } from 'snappy'
import { fmt, type LoadOptions, load, median, report, startServer } from './lib.js'

const require = createRequire(import.meta.url)
const { serialize } = require('prometheus-remote-write') as {
  serialize(payload: unknown): Promise<Uint8Array>
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 4)
const BATCH = 1000
const SERIES = 50
const now = Date.now()

/** 1,000 log records as the OpenTelemetry SDK produces them, serialized by its protobuf serializer. */
function otlpLogsBody(): Uint8Array {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  })
  const logger = provider.getLogger('bench')
  for (let i = 0; i < BATCH; i++) {
    logger.emit({
      severityNumber: i % 10 ? 9 : 17,
      severityText: i % 10 ? 'INFO' : 'ERROR',
      body: `order ${i} placed for customer ${i % 97} in ${(i % 13) * 7} ms`,
      attributes: { 'http.route': `/api/orders/${i % 20}`, user_id: i % 97 },
      timestamp: now - 60_000 + i * 60,
    })
  }
  return ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!
}

/** 50 gauge series × 20 samples each, timestamps over the last minute: one sample per series every 3 s. */
const samples = Array.from({ length: BATCH }, (_, i) => ({
  series: i % SERIES,
  ts: now - 60_000 + Math.floor(i / SERIES) * 3_000,
  value: 100 + (i % 37),
}))

async function remoteWriteBody(): Promise<Buffer> {
  const timeseries = Array.from({ length: SERIES }, (_, series) => ({
    labels: [
      { name: '__name__', value: 'node_memory_active_bytes' },
      { name: 'instance', value: `host-${series}:9100` },
      { name: 'job', value: 'node' },
    ],
    samples: samples.filter((s) => s.series === series).map((s) => ({ value: s.value, timestamp: s.ts })),
  }))
  return compressSync(Buffer.from(await serialize({ timeseries })))
}

function otlpMetricsBody(): Uint8Array {
  const toHr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6]
  return ProtobufMetricsSerializer.serializeRequest({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    scopeMetrics: [
      {
        scope: { name: 'bench' },
        metrics: [
          {
            descriptor: { name: 'process_memory_active_bytes', description: '', unit: 'By', valueType: 1 },
            dataPointType: DataPointType.GAUGE,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPoints: samples.map((s) => ({
              attributes: { instance: `host-${s.series}` },
              startTime: toHr(now - 120_000),
              endTime: toHr(s.ts),
              value: s.value,
            })),
          },
        ],
      },
    ],
  } as never)!
}

/** VictoriaMetrics on a scratch directory, or undefined when it is not installed. */
async function startVictoriaMetrics(): Promise<{ url: string; stop(): void } | undefined> {
  if (spawnSync('victoria-metrics', ['-version']).error) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'bench-vm-'))
  const port = 18_428
  const child = spawn(
    'victoria-metrics',
    [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'],
    { stdio: 'ignore' },
  )
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    stop: () => {
      child.kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const auth = { authorization: 'Bearer bench-key' }
const protobuf = { ...auth, 'content-type': 'application/x-protobuf' }
const remoteWrite = {
  ...protobuf,
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
}

async function rate(options: LoadOptions & { body: Buffer | Uint8Array }, perRequest: number) {
  const result = await load({ ...options, body: Buffer.from(options.body) as never, duration: DURATION })
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`failed requests: ${JSON.stringify(result)}`)
  return result.requestsPerSecond * perRequest
}

const server = await startServer('receivers.ts')
const vm = await startVictoriaMetrics()
try {
  const logsBody = otlpLogsBody()
  const writeBody = await remoteWriteBody()
  const metricsBody = otlpMetricsBody()
  const targets = {
    logs: {
      url: `${server.url}/v1/logs`,
      method: 'POST' as const,
      body: logsBody,
      headers: protobuf,
      connections: 8,
    },
    write: {
      url: `${server.url}/api/v1/write`,
      method: 'POST' as const,
      body: writeBody,
      headers: remoteWrite,
      connections: 8,
    },
    otlpMetrics: {
      url: `${server.url}/v1/metrics`,
      method: 'POST' as const,
      body: metricsBody,
      headers: protobuf,
      connections: 8,
    },
  }
  // Warm-up: JIT, SQLite pages, the series caches.
  for (const target of Object.values(targets))
    await load({ ...target, body: Buffer.from(target.body) as never, duration: 1 })
  const figures = {
    logs: [] as number[],
    write: [] as number[],
    otlpMetrics: [] as number[],
    vm: [] as number[],
  }
  for (let round = 0; round < ROUNDS; round++) {
    figures.logs.push(await rate(targets.logs, BATCH))
    figures.write.push(await rate(targets.write, BATCH))
    figures.otlpMetrics.push(await rate(targets.otlpMetrics, BATCH))
    if (vm) figures.vm.push(await rate({ ...targets.write, url: `${vm.url}/api/v1/write` }, BATCH))
  }
  const line = (label: string, values: number[]) =>
    console.log(`${label.padEnd(34)} ${fmt(median(values)).padStart(10)}/s  (${values.map(fmt).join(' / ')})`)
  console.log(
    `bodies: OTLP logs ${fmt(logsBody.length)} B, remote_write ${fmt(writeBody.length)} B, OTLP metrics ${fmt(metricsBody.length)} B; ${ROUNDS} rounds × ${DURATION} s, 8 connections; relay RSS ${fmt(server.rssMiB())} MiB`,
  )
  line('OTLP logs (protobuf) records', figures.logs)
  line('remote_write samples', figures.write)
  line('OTLP metrics (protobuf) samples', figures.otlpMetrics)
  if (vm) line('VictoriaMetrics remote_write', figures.vm)
  const vmMedian = vm ? median(figures.vm) : undefined
  const ratio = (value: number) => (vmMedian ? `×${(value / vmMedian).toFixed(2)}` : 'not measured')
  report([
    {
      measure: `OTLP logs, protobuf, ${fmt(BATCH)} records/request`,
      result: `${fmt(median(figures.logs))} records/s`,
      baseline: '—',
      budget: '≥ 100,000 records/s',
      met: median(figures.logs) >= 100_000,
    },
    {
      measure: `remote_write, ${fmt(BATCH)} samples/request with timestamps`,
      result: `${fmt(median(figures.write))} samples/s`,
      baseline: vmMedian
        ? `VictoriaMetrics ${fmt(vmMedian)} samples/s: ${ratio(median(figures.write))}`
        : 'VictoriaMetrics not installed',
      budget: '≥ 300,000 samples/s, ≥ ×0.5',
      met:
        median(figures.write) >= 300_000 &&
        (vmMedian === undefined || median(figures.write) / vmMedian >= 0.5),
    },
    {
      measure: `OTLP metrics, protobuf, ${fmt(BATCH)} samples/request with timestamps`,
      result: `${fmt(median(figures.otlpMetrics))} samples/s`,
      baseline: vmMedian
        ? `VictoriaMetrics (remote_write) ${fmt(vmMedian)} samples/s: ${ratio(median(figures.otlpMetrics))}`
        : '—',
      budget: '≥ 300,000 samples/s',
      met: median(figures.otlpMetrics) >= 300_000,
    },
  ])
} finally {
  server.stop()
  vm?.stop()
}
