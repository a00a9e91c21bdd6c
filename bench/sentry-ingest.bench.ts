/**
 * Sentry envelope ingest over HTTP: the relay's Sentry receiver forwarding in-process into the errors module (SQLite
 * files) vs bare node:http reading the same bodies (gunzip, split, JSON.parse every line), 32 keep-alive
 * connections, alternating rounds, with gzip off and on. One error event per envelope, shaped and sized as
 * @sentry/node 11 sends them (about 4 KB: exception with 14 frames and context lines, 12 breadcrumbs, contexts,
 * tags, user, request), a fresh event_id each; 1 new group in 20. Budget: ≥ 10,000 events/s and ≥ ×0.35.
 *
 * Then the error detail page's API (`GET /api/errors/:id`) on a group holding 100 events: p95 ≤ 10 ms.
 */
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import { fmt, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const CONNECTIONS = 32
const KNOWN_GROUPS = 200
const NEW_EVERY = 20
const KEY = '0123456789abcdef0123456789abcdef'
const PATH = `/api/1/envelope/?sentry_key=${KEY}&sentry_version=7&sentry_client=sentry.javascript.node%2F11.12.0`

const context = (n: string) => ({
  pre_context: [`  const order = await orders.find(${n})`, '  if (!order) {', '    return null', '  }', ''],
  context_line: "  throw new TypeError(`Cannot read properties of undefined (reading 'total')`)",
  post_context: [
    '}',
    '',
    'export async function checkout(request) {',
    '  const cart = await carts.get(request.user)',
    '',
  ],
})

/** One envelope: header, item header, event (`n` and `group` of fixed width, so one `length` fits all). */
function buildEnvelope(n: string, group: string, eventId: string): string {
  const frames = [
    ...['node:internal/process/task_queues', 'node:internal/timers'].map((file, i) => ({
      filename: file,
      module: file.split('/').pop(),
      function: i === 0 ? 'process.processTicksAndRejections' : 'listOnTimeout',
      lineno: 95 + i,
      colno: 5,
      in_app: false,
    })),
    ...['express/lib/router/layer', 'express/lib/router/route', 'express/lib/router/index'].map(
      (module, i) => ({
        filename: `/app/node_modules/${module}.js`,
        module,
        function: ['Layer.handle', 'Route.dispatch', 'next'][i],
        lineno: 100 + i * 7,
        colno: 12,
        in_app: false,
      }),
    ),
    ...Array.from({ length: 9 }, (_, i) => ({
      filename: `/app/src/${i < 8 ? 'routes/checkout' : `orders/${group}`}.js`,
      abs_path: `/app/src/${i < 8 ? 'routes/checkout' : `orders/${group}`}.js`,
      module: i < 8 ? 'routes:checkout' : `orders:${group}`,
      function: i < 8 ? `step${i}` : `total_${group}`,
      lineno: 10 + i * 3,
      colno: 11,
      in_app: true,
      ...context(n),
    })),
  ]
  const event = {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    server_name: 'web-1',
    release: 'shop@1.4.2',
    environment: 'production',
    sdk: {
      name: 'sentry.javascript.node',
      version: '11.12.0',
      integrations: [
        'InboundFilters',
        'FunctionToString',
        'LinkedErrors',
        'RequestData',
        'Console',
        'Http',
        'OnUncaughtException',
        'OnUnhandledRejection',
        'ContextLines',
        'LocalVariables',
        'Modules',
      ],
    },
    exception: {
      values: [
        {
          type: 'TypeError',
          value: `Cannot read properties of undefined (reading 'total') in ${group}`,
          stacktrace: { frames },
          mechanism: { type: 'auto.middleware.express', handled: false },
        },
      ],
    },
    breadcrumbs: Array.from({ length: 12 }, (_, i) => ({
      timestamp: Date.now() / 1000 - 12 + i,
      category: i % 3 === 0 ? 'http' : 'console',
      type: i % 3 === 0 ? 'http' : 'default',
      level: 'info',
      message: i % 3 === 0 ? undefined : `loaded cart ${n} item ${i}`,
      data:
        i % 3 === 0
          ? { method: 'GET', url: `http://inventory.internal/items/${i}`, status_code: 200 }
          : undefined,
    })),
    contexts: {
      trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex') },
      runtime: { name: 'node', version: 'v20.20.2' },
      os: { kernel_version: '6.1.0', name: 'Linux', version: '6.1.0' },
      app: { app_start_time: '2026-12-02T10:00:00.000Z', app_memory: 81234944 },
      device: { arch: 'x64', memory_size: 25769803776, cpu_description: 'AMD EPYC', processor_count: 2 },
      cloud_resource: {},
      culture: { locale: 'en-US', timezone: 'UTC' },
    },
    tags: { region: 'eu-west-1', shard: `s${n.slice(-1)}` },
    user: { id: `user-${n.slice(-3)}`, ip_address: '203.0.113.7' },
    request: {
      method: 'POST',
      url: 'https://shop.example.com/api/checkout',
      headers: {
        host: 'shop.example.com',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
        accept: 'application/json',
        'content-type': 'application/json',
      },
    },
    transaction: 'POST /api/checkout',
  }
  const payload = JSON.stringify(event)
  return `${JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString(), sdk: { name: 'sentry.javascript.node', version: '11.12.0' } })}\n${JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) })}\n${payload}`
}

// The body is built once with placeholders and filled per request: the load generator shares the two cores with
// the server, so it must cost next to nothing (the bare server's figure is then not the generator's).
const TEMPLATE = buildEnvelope('#'.repeat(9), 'G'.repeat(8), 'E'.repeat(32))
let sequence = 0
function nextEnvelope(): string {
  const n = sequence++
  const group =
    n % NEW_EVERY === 0 ? `n${String(n).padStart(7, '0')}` : `k${String(n % KNOWN_GROUPS).padStart(7, '0')}`
  return TEMPLATE.replaceAll('#########', String(n).padStart(9, '0'))
    .replaceAll('GGGGGGGG', group)
    .replaceAll('E'.repeat(32), randomBytes(16).toString('hex'))
}
/** Gzipped bodies, made before the runs (compressing per request would load the generator, not the server). */
const gzipPool = Array.from({ length: 40_000 }, () => gzipSync(nextEnvelope(), { level: 6 }))
let gzipNext = 0

const sampleBytes = Buffer.byteLength(nextEnvelope())

async function run(url: string, duration: number, gzip: boolean) {
  const result = await autocannon({
    url: `${url}${PATH}`,
    connections: CONNECTIONS,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/x-sentry-envelope', ...(gzip && { 'content-encoding': 'gzip' }) },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => {
          request.body = gzip ? gzipPool[gzipNext++ % gzipPool.length] : nextEnvelope()
          return request
        },
      },
    ],
  })
  return {
    rps: result.requests.average,
    bad: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  }
}

const servers = [
  { label: 'bare node:http', script: 'bare-envelope.ts' },
  { label: 'relay → errors', script: 'sentry-ingest.ts' },
].map((entry) => ({ ...entry, server: undefined as unknown as Awaited<ReturnType<typeof startServer>> }))
for (const entry of servers) entry.server = await startServer(entry.script)
try {
  const rows = []
  for (const gzip of [false, true]) {
    const runs = servers.map(() => [] as number[])
    for (const { server } of servers) await run(server.url, 2, gzip)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, { server }] of servers.entries()) {
        const result = await run(server.url, DURATION, gzip)
        if (result.bad > 0) throw new Error(`failed requests: ${JSON.stringify(result)}`)
        runs[index]!.push(result.rps)
      }
    }
    const [bare, relay] = runs.map(median) as [number, number]
    const ratio = relay / bare
    console.log(
      `gzip ${gzip ? 'on' : 'off'}: envelopes of ${fmt(sampleBytes)} bytes, 1 new group in ${NEW_EVERY}`,
    )
    for (const [index, { label }] of servers.entries()) {
      console.log(
        `  ${label.padEnd(16)} ${fmt(median(runs[index]!)).padStart(7)} events/s  (${runs[index]!.map(fmt).join(' / ')})`,
      )
    }
    rows.push({
      measure: `Sentry envelopes, one @sentry/node-sized event each (${fmt(sampleBytes)} B), gzip ${gzip ? 'on' : 'off'}, ${CONNECTIONS} connections`,
      result: `${fmt(relay)} events/s`,
      baseline: `bare node:http ${fmt(bare)} req/s: ×${ratio.toFixed(2)}`,
      budget: '≥ 10,000 events/s, ≥ ×0.35',
      met: relay >= 10_000 && ratio >= 0.35,
    })
  }

  // The detail page: a group with 100 events (the default kept per group), read by its API.
  const relayServer = servers[1]!.server
  const list = (await (
    await fetch(`${relayServer.url}/errors/api/errors?sort=count&limit=1`, {
      headers: { 'x-api-key': 'bench-key' },
    })
  ).json()) as { errors: { id: number; count: number }[] }
  const group = list.errors[0]!
  const detail = await autocannon({
    url: `${relayServer.url}/errors/api/errors/${group.id}`,
    connections: 1,
    duration: DURATION,
    headers: { 'x-api-key': 'bench-key' },
  })
  const p95 = detail.latency.p97_5 ?? detail.latency.p99
  console.log(
    `detail API, group with ${fmt(group.count)} events (100 kept): p50 ${detail.latency.p50} ms, p97.5 ${detail.latency.p97_5} ms, p99 ${detail.latency.p99} ms`,
  )
  rows.push({
    measure: `Error detail API, group of ${fmt(group.count)} events (100 kept), 1 connection`,
    result: `p97.5 ${p95} ms (p50 ${detail.latency.p50} ms)`,
    baseline: '—',
    budget: 'p95 ≤ 10 ms',
    met: p95 <= 10,
  })
  report(rows)
} finally {
  for (const { server } of servers) server.stop()
}
