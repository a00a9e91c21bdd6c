/**
 * The browser relay. (1) Browser error ingest through the relay into the in-process error store (SQLite file)
 * vs bare node:http answering a POST of the same size, alternating rounds; the figure is relay req/s ÷ bare req/s.
 * (2) Deobfuscating a 50-frame Chrome stack against a ~1 MiB source map through `service.ingestError`: first
 * (parse the map) and cached, as ratios to one `JSON.parse` of the same map. (3) The same through the debug-ID
 * path (a Sentry stack with `debug_meta`), after assembling a ~10 MiB artifact bundle the way sentry-cli uploads.
 */
import { createHash, randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { createDatabase, type ErrorReport } from '@monlight/core'
import { createRelay } from '@monlight/relay'
import { strToU8, zipSync } from 'fflate'
import { SourceMapGenerator } from 'source-map'
import { type BenchRow, fmt, load, median, report, startServer } from './lib.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

// ---------------------------------------------------------------- (1) ingest over HTTP
const body = JSON.stringify({
  type: 'TypeError',
  message: "Cannot read properties of undefined (reading 'id')",
  stack:
    "TypeError: Cannot read properties of undefined (reading 'id')\n    at onClick (https://app.example.com/static/app.min.js:1:2345)\n    at HTMLButtonElement.n (https://app.example.com/static/app.min.js:1:999)",
  url: 'https://app.example.com/dashboard',
  user_agent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
  session_id: '0b5f6c1e-9a43-4c2e-8d7f-1f2a3b4c5d6e',
  context: { user_id: 'u-42' },
  timestamp: '2026-11-25T10:00:00.000Z',
})
const rows: BenchRow[] = []
const servers = [
  {
    label: 'bare node:http',
    server: await startServer('bare-node.ts'),
    path: '/api/ingest',
    headers: { 'x-api-key': 'bench-key' },
    runs: [] as number[],
  },
  {
    label: 'relay → errors',
    server: await startServer('relay-ingest.ts'),
    path: '/api/browser/errors',
    headers: { 'x-monlight-key': 'bench-dsn', origin: 'https://app.example.com' },
    runs: [] as number[],
  },
  {
    label: 'relay → no-op',
    server: await startServer('relay-ingest.ts', { RELAY_BENCH_SINK: '1' }),
    path: '/api/browser/errors',
    headers: { 'x-monlight-key': 'bench-dsn', origin: 'https://app.example.com' },
    runs: [] as number[],
  },
]
try {
  for (const { server, path, headers } of servers) {
    await load({
      url: server.url + path,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      duration: 2,
    })
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const { server, path, headers, runs } of servers) {
      const result = await load({
        url: server.url + path,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      })
      if (result.errors > 0 || result.non2xx > 0)
        throw new Error(`failed requests: ${JSON.stringify(result)}`)
      runs.push(result.requestsPerSecond)
    }
  }
  const baseline = median(servers[0]!.runs)
  console.log(`browser error ingest: body ${Buffer.byteLength(body)} bytes, ${ROUNDS} rounds, 32 connections`)
  for (const { label, server, runs } of servers) {
    console.log(
      `${label.padEnd(16)} ${fmt(median(runs)).padStart(7)} req/s  ×${(median(runs) / baseline).toFixed(2)}  (${runs.map(fmt).join(' / ')})  RSS ${fmt(server.rssMiB())} MiB`,
    )
  }
  const relayed = median(servers[1]!.runs)
  rows.push({
    measure: 'browser error through the relay into the error store, 32 connections',
    result: `${fmt(relayed)} req/s`,
    baseline: `bare node:http ${fmt(baseline)} req/s: ×${(relayed / baseline).toFixed(2)}`,
    budget: '—',
  })
} finally {
  for (const { server } of servers) server.stop()
}

// ---------------------------------------------------------------- (2) deobfuscation
const LINES = 400
const SEGMENTS = 120
const generator = new SourceMapGenerator({ file: 'app.min.js' })
const sources = Array.from({ length: 40 }, (_, i) => `src/module-${i}.ts`)
for (let line = 1; line <= LINES; line++) {
  for (let segment = 0; segment < SEGMENTS; segment++) {
    generator.addMapping({
      generated: { line, column: segment * 40 },
      original: { line: ((line * 7 + segment) % 750) + 1, column: segment % 60 },
      source: sources[(line + segment) % sources.length]!,
      name: segment % 3 === 0 ? `fn${segment}` : undefined,
    })
  }
}
// Original sources embedded, as bundlers do by default: the enclosing-function lookup reads them.
for (const source of sources) {
  const lines: string[] = []
  for (let i = 0; lines.length < 750; i++)
    lines.push(
      `export function ${source.slice(4, -3).replace('-', '_')}_fn${i}(input) {`,
      '  return transform(input)',
      '}',
    )
  generator.setSourceContent(source, lines.join('\n'))
}
const mapContent = generator.toString()
const frames = Array.from(
  { length: 50 },
  (_, i) =>
    `    at f${i} (https://app.example.com/static/app.min.js:${1 + ((i * 37) % LINES)}:${1 + ((i * 997) % (SEGMENTS * 40))})`,
)
const stack = `TypeError: boom\n${frames.join('\n')}`

const parseStart = performance.now()
JSON.parse(mapContent)
const parseMs = performance.now() - parseStart

const reports: ErrorReport[] = []
const relay = createRelay({
  database: await createDatabase({ sqlite: ':memory:' }),
  apiKeys: ['bench-key'],
  forward: {
    errors: {
      ingest: async (report) => {
        reports.push(report)
        return { status: 'created', id: 1, fingerprint: 'x' }
      },
    },
    metrics: { ingest: async (points) => ({ count: points.length }) },
  },
})
await relay.migrate()
// The same map under five releases: five first (uncached) runs, each parsing it anew.
const FIRSTS = 5
for (let release = 1; release <= FIRSTS; release++) {
  await relay.service.putSourceMap({
    project: 'bench',
    release: String(release),
    file_url: '/static/app.min.js',
    map_content: mapContent,
  })
}
const key = await relay.service.createKey({ project: 'bench' })
const browserError = { type: 'TypeError', message: 'boom', stack, release: '1' }

const firstRuns: number[] = []
for (let release = FIRSTS; release >= 1; release--) {
  const start = performance.now()
  await relay.service.ingestError(key, { ...browserError, release: String(release) })
  firstRuns.push(performance.now() - start)
}
const firstMs = median(firstRuns)
if (!reports[0]!.traceback.includes('src/module-')) throw new Error('deobfuscation did not map the frames')
const cachedRuns: number[] = []
for (let i = 0; i < 200; i++) {
  const start = performance.now()
  await relay.service.ingestError(key, browserError)
  cachedRuns.push(performance.now() - start)
}
const cachedMs = median(cachedRuns)
console.log(
  `deobfuscation: 50 frames, map ${(Buffer.byteLength(mapContent) / 1024 / 1024).toFixed(2)} MiB (${LINES * SEGMENTS} mappings); JSON.parse of the map ${parseMs.toFixed(1)} ms`,
)
console.log(
  `first (parse + map)   ${firstMs.toFixed(1).padStart(7)} ms  ×${(firstMs / parseMs).toFixed(2)} JSON.parse  (median of ${FIRSTS})`,
)
console.log(
  `cached                ${cachedMs.toFixed(2).padStart(7)} ms  ×${(cachedMs / parseMs).toFixed(2)} JSON.parse  (median of 200)`,
)
rows.push({
  measure: `deobfuscate a 50-frame stack, ${(Buffer.byteLength(mapContent) / 1024 / 1024).toFixed(2)} MiB map`,
  result: `${firstMs.toFixed(1)} ms first (parse), ${cachedMs.toFixed(2)} ms cached`,
  baseline: `JSON.parse of the map ${parseMs.toFixed(1)} ms: ×${(firstMs / parseMs).toFixed(1)} first, ×${(cachedMs / parseMs).toFixed(2)} cached`,
  budget: 'first ≤ 50 ms, cached ≤ 0.5 ms',
  met: firstMs <= 50 && cachedMs <= 0.5,
})

// ---------------------------------------------------------------- (3) debug IDs and artifact bundles
// The same map reached by debug ID (Sentry event frames + debug_meta), after sentry-cli's upload path: chunks
// and assembly of a bundle of ~10 MiB over the relay's HTTP API (in-process fetch).
const admin = { authorization: 'Bearer bench-key' }
const api = (path: string, init: RequestInit = {}) =>
  relay.fetch(new Request(`http://relay.test/api/0/organizations/bench/${path}`, init))
const DEBUG_ID = '0c1b4d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d'
const bundleFiles: Record<string, Uint8Array> = {}
const manifest: Record<string, unknown> = {}
const debugMap = `${mapContent.slice(0, -1)},"debugId":"${DEBUG_ID}"}`
// A zip of about 10 MiB, like a real one: maps (which compress well) and their minified files (which do not).
for (let i = 0; i < 12; i++) {
  const id = i === 0 ? DEBUG_ID : `${DEBUG_ID.slice(0, -4)}${String(i).padStart(4, '0')}`
  const source = `files/_/_/static/chunk-${i}.js`
  bundleFiles[source] = strToU8(randomBytes(800 * 1024).toString('base64'))
  manifest[source] = {
    type: 'minified_source',
    url: `~/static/chunk-${i}.js`,
    headers: { 'debug-id': id, sourcemap: `chunk-${i}.js.map` },
  }
  bundleFiles[`${source}.map`] = strToU8(i === 0 ? debugMap : mapContent.replace(/fn(\d+)/g, `f${i}_$1`))
  manifest[`${source}.map`] = {
    type: 'source_map',
    url: `~/static/chunk-${i}.js.map`,
    headers: { 'debug-id': id },
  }
}
bundleFiles['manifest.json'] = strToU8(JSON.stringify({ files: manifest }))
const zip = Buffer.from(zipSync(bundleFiles, { level: 6 }))
const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex')
const CHUNK = 8 * 1024 * 1024
const chunks: Buffer[] = []
for (let offset = 0; offset < zip.length; offset += CHUNK) chunks.push(zip.subarray(offset, offset + CHUNK))
const uploadStart = performance.now()
for (const chunk of chunks) {
  const form = new FormData()
  form.append('file_gzip', new Blob([gzipSync(chunk)]), sha1(chunk))
  const response = await api('chunk-upload/', { method: 'POST', headers: admin, body: form })
  if (response.status !== 200) throw new Error(`chunk upload: ${response.status} ${await response.text()}`)
}
const uploadMs = performance.now() - uploadStart
const assembleStart = performance.now()
const assembled = await api('artifactbundle/assemble/', {
  method: 'POST',
  headers: { ...admin, 'content-type': 'application/json' },
  body: JSON.stringify({ checksum: sha1(zip), chunks: chunks.map(sha1), projects: ['bench'] }),
})
const assembleMs = performance.now() - assembleStart
const state = (await assembled.json()) as { state: string; detail: string }
if (state.state !== 'ok') throw new Error(`assembly: ${JSON.stringify(state)}`)

const exceptions = [
  {
    type: 'TypeError',
    value: 'boom',
    frames: frames.map((_, i) => ({
      abs_path: 'https://cdn.example.com/assets/chunk-0.3f9a1c.js',
      lineno: 1 + ((i * 37) % LINES),
      colno: 1 + ((i * 997) % (SEGMENTS * 40)),
      function: `f${i}`,
    })),
  },
]
const debugIds = new Map([['https://cdn.example.com/assets/chunk-0.3f9a1c.js', DEBUG_ID]])
const symbolicate = () => relay.service.symbolicate(key, { release: undefined, debugIds }, exceptions)
const debugFirstStart = performance.now()
const mapped = await symbolicate()
const debugFirstMs = performance.now() - debugFirstStart
if (!mapped[0]!.frames[0]!.filename?.startsWith('src/module-'))
  throw new Error('debug ID did not map the frames')
const debugRuns: number[] = []
for (let i = 0; i < 200; i++) {
  const start = performance.now()
  await symbolicate()
  debugRuns.push(performance.now() - start)
}
const debugCachedMs = median(debugRuns)
const zipMiB = zip.length / 1024 / 1024
const mapCount = Object.values(manifest).filter(
  (file) => (file as { type: string }).type === 'source_map',
).length
console.log(
  `artifact bundle: zip ${zipMiB.toFixed(1)} MiB (${mapCount} maps + their files, ${(Object.values(bundleFiles).reduce((sum, file) => sum + file.length, 0) / 1024 / 1024).toFixed(0)} MiB inflated), ${chunks.length} chunks uploaded in ${uploadMs.toFixed(0)} ms, assembled in ${assembleMs.toFixed(0)} ms (${state.detail})`,
)
console.log(
  `debug-ID path: first ${debugFirstMs.toFixed(1)} ms, cached ${debugCachedMs.toFixed(2)} ms (median of 200)`,
)
rows.push({
  measure: `deobfuscate a 50-frame Sentry stack by debug ID, same map`,
  result: `${debugFirstMs.toFixed(1)} ms first (parse), ${debugCachedMs.toFixed(2)} ms cached`,
  baseline: `JSON.parse of the map ${parseMs.toFixed(1)} ms: ×${(debugFirstMs / parseMs).toFixed(1)} first, ×${(debugCachedMs / parseMs).toFixed(2)} cached`,
  budget: 'first ≤ 50 ms, cached ≤ 0.5 ms',
  met: debugFirstMs <= 50 && debugCachedMs <= 0.5,
})
rows.push({
  measure: `assemble a ${zipMiB.toFixed(1)} MiB artifact bundle (${mapCount} maps), sentry-cli's calls`,
  result: `${assembleMs.toFixed(0)} ms (chunk upload ${uploadMs.toFixed(0)} ms)`,
  baseline: '—',
  budget: '≤ 2 s',
  met: assembleMs <= 2_000,
})
report(rows)
