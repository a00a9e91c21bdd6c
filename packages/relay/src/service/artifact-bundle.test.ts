import { MonlightError } from '@monlight/core'
import { seededRandom } from '@monlight/test-utils'
import { strToU8, type Zippable, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { readArtifactBundle } from './artifact-bundle.js'

// MONLIGHT_FUZZ_SEED / MONLIGHT_FUZZ_ROUNDS replay or widen a run.
const SEED = Number(process.env.MONLIGHT_FUZZ_SEED ?? 17)
const ROUNDS = Number(process.env.MONLIGHT_FUZZ_ROUNDS ?? 300)

const MIB = 1024 * 1024
const LIMITS = { maxMapBytes: MIB, maxTotalBytes: 2 * MIB }
const DEBUG_ID = 'c0ffee00-1234-4abc-8def-0123456789ab'
const MAP = JSON.stringify({ version: 3, sources: ['src/app.ts'], names: ['main'], mappings: 'AAAA' })
const MINIFIED = `function main(){throw new Error("x")}main();\n//# debugId=${DEBUG_ID}\n//# sourceMappingURL=app.js.map\n`

interface ManifestFile {
  type: string
  url: string
  headers?: Record<string, string>
}

/** A zip of `manifest.json` and `files` (path → content), as sentry-cli writes it. */
function zip(
  files: Record<string, string | Uint8Array>,
  manifest: unknown,
  options: { storeManifest?: boolean } = {},
): Buffer {
  const entries: Zippable = {
    'manifest.json': [
      strToU8(typeof manifest === 'string' ? manifest : JSON.stringify(manifest)),
      { level: options.storeManifest ? 0 : 6 },
    ],
  }
  for (const [path, content] of Object.entries(files)) {
    entries[path] = typeof content === 'string' ? strToU8(content) : content
  }
  return Buffer.from(zipSync(entries))
}

/** A bundle whose manifest lists each file with its content: `{ path: [manifest entry, content] }`. */
function bundle(
  files: Record<string, [ManifestFile, string | Uint8Array]>,
  extra: Record<string, unknown> = {},
  options: { storeManifest?: boolean } = {},
): Buffer {
  const manifest = {
    // Fields sentry-cli writes besides `files`; the reader must ignore them.
    org: 'o',
    project: 'web',
    debug_id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    ...extra,
    files: Object.fromEntries(Object.entries(files).map(([path, [entry]]) => [path, entry])),
  }
  return zip(
    Object.fromEntries(Object.entries(files).map(([path, [, content]]) => [path, content])),
    manifest,
    options,
  )
}

/** What `sentry-cli sourcemaps inject` + `upload` sends for one minified file and its map. */
function sentryCliBundle(extra: Record<string, unknown> = {}, options: { storeManifest?: boolean } = {}) {
  return bundle(
    {
      'files/_/_/static/app.js': [
        {
          type: 'minified_source',
          url: '~/static/app.js',
          headers: { 'debug-id': DEBUG_ID.toUpperCase(), sourcemap: 'app.js.map' },
        },
        MINIFIED,
      ],
      'files/_/_/static/app.js.map': [
        { type: 'source_map', url: '~/static/app.js.map', headers: { 'debug-id': DEBUG_ID.toUpperCase() } },
        MAP,
      ],
    },
    extra,
    options,
  )
}

/** The error `promise` rejects with; fails the test when it resolves or rejects with something else. */
async function refusal(promise: Promise<unknown>): Promise<MonlightError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the bundle to be refused, it was read')
    },
    (error: unknown) => error,
  )
  if (!MonlightError.is(error)) throw error
  return error
}

/**
 * Rewrites the uncompressed size that both the local header (offset 22) and the central directory entry
 * (offset 24) declare for `name`, leaving the compressed data alone: a zip bomb that lies about its size.
 */
function declareSize(archive: Buffer, name: string, size: number): Buffer {
  const bytes = Buffer.from(archive)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = view.getUint16(eocd + 10, true)
  let at = view.getUint32(eocd + 16, true)
  let patched = 0
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50)
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    const local = view.getUint32(at + 42, true)
    if (bytes.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      expect(view.getUint32(local, true)).toBe(0x04034b50)
      view.setUint32(local + 22, size, true)
      view.setUint32(at + 24, size, true)
      patched++
    }
    at += 46 + nameLength + extraLength + commentLength
  }
  expect(patched, `${name} is in the zip`).toBe(1)
  return bytes
}

describe('readArtifactBundle: what sentry-cli and the bundler plugins send', () => {
  it('pairs a map with its minified file and normalizes the debug ID', async () => {
    const result = await readArtifactBundle(sentryCliBundle(), LIMITS)
    expect(result).toEqual({
      release: undefined,
      maps: [
        { fileUrl: '/static/app.js', debugId: DEBUG_ID, content: MAP, path: 'files/_/_/static/app.js.map' },
      ],
    })
  })

  it('pairs a map referenced relative to its minified file (../maps/app.js.map)', async () => {
    const result = await readArtifactBundle(
      bundle({
        'files/app.js': [
          // The map carries no debug ID of its own: the minified file's is used.
          {
            type: 'minified_source',
            url: '~/static/js/app.js',
            headers: { sourcemap: '../maps/app.js.map', 'debug-id': DEBUG_ID },
          },
          MINIFIED,
        ],
        'files/app.js.map': [{ type: 'source_map', url: '~/static/maps/app.js.map' }, MAP],
      }),
      LIMITS,
    )
    expect(result.maps).toMatchObject([{ fileUrl: '/static/js/app.js', debugId: DEBUG_ID }])
  })

  // sentry-cli writes paths as they are on disk (`~/static/my app.js`), unencoded; resolving the reference must not
  // percent-encode it (`/maps/my%20app.js.map`), or the map no longer pairs with its file.
  it('pairs a relative reference whose path has a space or non-ASCII letters', async () => {
    const result = await readArtifactBundle(
      bundle({
        'files/a': [
          {
            type: 'minified_source',
            url: '~/static/my app.js',
            headers: { sourcemap: '../maps/my app.js.map', 'debug-id': DEBUG_ID },
          },
          MINIFIED,
        ],
        'files/a.map': [{ type: 'source_map', url: '~/maps/my app.js.map' }, MAP],
        'files/b': [
          {
            type: 'minified_source',
            url: '~/static/café.js',
            headers: { sourcemap: '../maps/café.js.map', 'debug-id': DEBUG_ID },
          },
          MINIFIED,
        ],
        'files/b.map': [{ type: 'source_map', url: '~/maps/café.js.map' }, MAP],
      }),
      LIMITS,
    )
    expect(result.maps.map((map) => [map.fileUrl, map.debugId])).toEqual([
      ['/static/my app.js', DEBUG_ID],
      ['/static/café.js', DEBUG_ID],
    ])
  })

  it('keeps an absolute URL as it is', async () => {
    const result = await readArtifactBundle(
      bundle({
        'files/a': [
          {
            type: 'minified_source',
            url: 'https://cdn.example.com/assets/app.js',
            headers: { sourcemap: 'app.js.map' },
          },
          MINIFIED,
        ],
        'files/b': [
          {
            type: 'source_map',
            url: 'https://cdn.example.com/assets/app.js.map',
            headers: { 'debug-id': DEBUG_ID },
          },
          MAP,
        ],
      }),
      LIMITS,
    )
    expect(result.maps).toMatchObject([
      { fileUrl: 'https://cdn.example.com/assets/app.js', debugId: DEBUG_ID },
    ])
  })

  it('reads header names case-insensitively (SourceMap, X-SourceMap, Debug-Id)', async () => {
    const result = await readArtifactBundle(
      bundle({
        'files/a': [
          { type: 'minified_source', url: '~/js/a.min.js', headers: { SourceMap: 'maps/a.map' } },
          MINIFIED,
        ],
        'files/a.map': [
          { type: 'source_map', url: '~/js/maps/a.map', headers: { 'Debug-Id': DEBUG_ID } },
          MAP,
        ],
        'files/b': [
          { type: 'minified_source', url: '~/js/b.min.js', headers: { 'X-SourceMap': 'b.map' } },
          MINIFIED,
        ],
        'files/b.map': [{ type: 'source_map', url: '~/js/b.map', headers: { 'DEBUG-ID': DEBUG_ID } }, MAP],
      }),
      LIMITS,
    )
    // The map names (a.map, b.map) say nothing of the files: only the headers can pair them.
    expect(result.maps.map((map) => [map.fileUrl, map.debugId])).toEqual([
      ['/js/a.min.js', DEBUG_ID],
      ['/js/b.min.js', DEBUG_ID],
    ])
  })

  it('falls back to the map URL minus .map when no minified file names the map', async () => {
    const result = await readArtifactBundle(
      bundle({
        'files/a.map': [
          { type: 'source_map', url: '~/static/app.js.map', headers: { 'debug-id': DEBUG_ID } },
          MAP,
        ],
        'files/b.map': [{ type: 'source_map', url: 'vendor.js.map', headers: { 'debug-id': DEBUG_ID } }, MAP],
        // An inline map (data: URL) pairs with nothing.
        'files/c': [
          {
            type: 'minified_source',
            url: '~/other.js',
            headers: { sourcemap: 'data:application/json;base64,e30=' },
          },
          MINIFIED,
        ],
      }),
      LIMITS,
    )
    expect(result.maps.map((map) => map.fileUrl)).toEqual(['/static/app.js', '/vendor.js'])
  })

  it('takes the release from the manifest; an empty one is none', async () => {
    expect((await readArtifactBundle(sentryCliBundle({ release: 'shop@1.2.3' }), LIMITS)).release).toBe(
      'shop@1.2.3',
    )
    expect((await readArtifactBundle(sentryCliBundle({ release: '' }), LIMITS)).release).toBeUndefined()
  })

  it('gives a map without any debug ID null, so it can only be found by release', async () => {
    const result = await readArtifactBundle(
      bundle({
        'm.map': [{ type: 'source_map', url: '~/m.js.map', headers: { 'debug-id': 'not-a-uuid' } }, MAP],
      }),
      LIMITS,
    )
    expect(result.maps).toMatchObject([{ fileUrl: '/m.js', debugId: null }])
  })
})

describe('readArtifactBundle: refusals say what is wrong', () => {
  const valid = sentryCliBundle()

  it.each([
    ['an empty body', Buffer.alloc(0)],
    ['text', Buffer.from('this is not a zip')],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251))],
    ['a truncated zip', valid.subarray(0, Math.floor(valid.length / 2))],
    ['a zip missing its last bytes', valid.subarray(0, valid.length - 5)],
  ])('refuses %s as not a zip (400)', async (_, input) => {
    const error = await refusal(readArtifactBundle(input, LIMITS))
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/zip/)
  })

  it('refuses a zip without manifest.json', async () => {
    const error = await refusal(
      readArtifactBundle(Buffer.from(zipSync({ 'app.js.map': strToU8(MAP) })), LIMITS),
    )
    expect(error.status).toBe(400)
    expect(error.message).toContain('no manifest.json')
  })

  it('refuses a manifest that is not JSON', async () => {
    const error = await refusal(readArtifactBundle(zip({}, '{"files": {'), LIMITS))
    expect(error.status).toBe(400)
    expect(error.message).toContain('manifest.json is not valid JSON')
  })

  it.each([
    ['null', null, /not an artifact bundle manifest/],
    ['an array', [], /not an artifact bundle manifest/],
    ['files as an array', { files: [] }, /files/],
    ['a file without url', { files: { 'a.map': { type: 'source_map' } } }, /files\.a\.map\.url/],
    [
      'a header that is not a string',
      { files: { a: { type: 'source_map', url: 'a', headers: { x: 1 } } } },
      /files\.a\.headers/,
    ],
  ])('refuses a manifest of the wrong shape: %s', async (_, manifest, detail) => {
    const error = await refusal(readArtifactBundle(zip({ 'a.map': MAP, a: MAP }, manifest), LIMITS))
    expect(error.status).toBe(400)
    expect(error.message).toMatch(detail)
  })

  it('refuses a manifest listing a file that is not in the zip', async () => {
    const manifest = { files: { '../../etc/passwd': { type: 'source_map', url: '~/app.js.map' } } }
    const error = await refusal(readArtifactBundle(zip({ 'app.js.map': MAP }, manifest), LIMITS))
    expect(error.status).toBe(400)
    expect(error.message).toBe('manifest.json lists "../../etc/passwd", which is not in the bundle')
  })

  it('refuses a bundle without a source_map file', async () => {
    const input = bundle({ 'files/app.js': [{ type: 'minified_source', url: '~/app.js' }, MINIFIED] })
    const error = await refusal(readArtifactBundle(input, LIMITS))
    expect(error.status).toBe(400)
    expect(error.message).toContain('no source maps')
  })

  it('refuses a map over maxMapBytes (413) before reading it', async () => {
    const big = JSON.stringify({ version: 3, sources: [], mappings: 'A'.repeat(2000) })
    const input = bundle({ 'big.map': [{ type: 'source_map', url: '~/big.js.map' }, big] })
    const error = await refusal(readArtifactBundle(input, { maxMapBytes: 1000, maxTotalBytes: 10_000 }))
    expect(error.status).toBe(413)
    expect(error.message).toContain('"big.map"')
    expect(error.message).toContain(`${big.length} bytes, over the limit of 1000`)
  })

  it('refuses maps over maxTotalBytes together (413), each under maxMapBytes', async () => {
    const map = JSON.stringify({ version: 3, sources: [], mappings: 'A'.repeat(600) })
    const input = bundle({
      'a.map': [{ type: 'source_map', url: '~/a.js.map' }, map],
      'b.map': [{ type: 'source_map', url: '~/b.js.map' }, map],
    })
    const error = await refusal(readArtifactBundle(input, { maxMapBytes: 1000, maxTotalBytes: 1000 }))
    expect(error.status).toBe(413)
    expect(error.message).toContain('exceed 1000 bytes together')
  })

  // 50 MB of zeros deflate to ~50 KB; the entry claims 1 KB. Reading it must stop at the claimed size rather than
  // inflate 50 MB (or trust the claim and buffer whatever comes out).
  it.each(['manifest.json', 'files/_/_/static/app.js.map'])(
    'refuses a zip bomb in %s quickly, without inflating it',
    async (name) => {
      const inflated = 50 * MIB
      const manifest = {
        files: { 'files/_/_/static/app.js.map': { type: 'source_map', url: '~/static/app.js.map' } },
      }
      const files: Zippable = { 'manifest.json': strToU8(JSON.stringify(manifest)) }
      files[name] = [new Uint8Array(inflated), { level: 9 }]
      const bomb = declareSize(Buffer.from(zipSync(files)), name, 1024)
      expect(bomb.length).toBeLessThan(MIB)

      globalThis.gc?.()
      const rssBefore = process.memoryUsage().rss
      const started = performance.now()
      const error = await refusal(
        readArtifactBundle(bomb, { maxMapBytes: 100 * MIB, maxTotalBytes: 100 * MIB }),
      )
      const elapsed = performance.now() - started
      const grown = process.memoryUsage().rss - rssBefore

      expect(error.status).toBe(400)
      expect(error.message).toContain(JSON.stringify(name))
      expect(elapsed).toBeLessThan(2000)
      // Loose (RSS moves for many reasons), but far from the 50 MB a full inflate would take.
      expect(grown).toBeLessThan(inflated / 2)
    },
  )
})

describe('readArtifactBundle: damaged bundles', () => {
  // Bytes of a valid bundle overwritten at random: every outcome is a read bundle or a 4xx MonlightError, in time.
  it(`reads or refuses ${ROUNDS} mutated bundles with a 4xx, never another error (seed ${SEED})`, async () => {
    const next = seededRandom(SEED)
    // The manifest stored uncompressed, so mutations also reach its JSON and its zod checks.
    const base = sentryCliBundle({ release: 'shop@1.0.0' }, { storeManifest: true })
    const limits = { maxMapBytes: 64 * 1024, maxTotalBytes: 128 * 1024 }
    const outcomes = { read: 0, refused: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      let input = Buffer.from(base)
      const roll = next()
      if (roll < 0.1) {
        input = input.subarray(0, Math.floor(next() * input.length))
      } else {
        for (let n = 1 + Math.floor(next() * 6); n > 0; n--) {
          // Half the time aim at the headers and central directory at the end, where sizes and offsets live.
          const at =
            next() < 0.5 ? input.length - 1 - Math.floor(next() * 120) : Math.floor(next() * input.length)
          input[at] =
            next() < 0.3 ? [0x00, 0xff, 0x7f, 0x80][Math.floor(next() * 4)]! : Math.floor(next() * 256)
        }
      }
      const context = `round ${round} (MONLIGHT_FUZZ_SEED=${SEED})`
      let timer: NodeJS.Timeout | undefined
      const hang = new Promise<'hang'>((resolve) => {
        timer = setTimeout(() => resolve('hang'), 5000)
      })
      const outcome = await Promise.race([
        readArtifactBundle(input, limits).then(
          () => 'read' as const,
          (error: unknown) => error,
        ),
        hang,
      ])
      clearTimeout(timer)
      expect(outcome, context).not.toBe('hang')
      if (outcome === 'read') {
        outcomes.read++
        continue
      }
      if (!MonlightError.is(outcome)) throw new Error(`${context}: not a MonlightError: ${String(outcome)}`)
      expect(outcome.status, `${context}: ${outcome.message}`).toBeLessThan(500)
      outcomes.refused++
    }
    // Both outcomes occur, or the mutations did not exercise anything.
    expect(outcomes.read).toBeGreaterThan(0)
    expect(outcomes.refused).toBeGreaterThan(0)
  })
})
