import { createHash, randomBytes } from 'node:crypto'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { gzipSync, strToU8, zipSync } from 'fflate'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { ADMIN_KEY, createTestRelay, DSN_KEY, type TestRelay } from '../../__fixtures__/harness.js'
import { BUNDLE_TABLE, CHUNK_TABLE, SOURCE_MAP_TABLE } from '../../schema/tables.js'

const BASE = 'http://relay.test'
const MIB = 1024 * 1024
/** The relay's chunk size (Sentry's): 8 MiB. */
const CHUNK_BYTES = 8 * MIB
/** Small limits for this relay, so that bundles over them are cheap to build. */
const MAX_MAP_BYTES = 256 * 1024
const MAX_BUNDLE_BYTES = MIB
const DEBUG_ID = 'c0ffee00-1234-4abc-8def-0123456789ab'
const OTHER_DEBUG_ID = 'deadbeef-1234-4abc-8def-0123456789ab'
const MAP = JSON.stringify({ version: 3, sources: ['src/app.ts'], names: ['main'], mappings: 'AAAA' })
const bearer = { authorization: `Bearer ${ADMIN_KEY}` }

const sha1 = (data: Uint8Array | string) => createHash('sha1').update(data).digest('hex')

interface BundledFile {
  type: string
  url: string
  headers?: Record<string, string>
  content: string | Uint8Array
}

/** An artifact bundle as sentry-cli zips it: `manifest.json` plus the files it lists. */
function artifactBundle(files: Record<string, BundledFile>, release?: string): Buffer {
  const manifest = {
    org: 'o',
    ...(release === undefined ? {} : { release }),
    files: Object.fromEntries(
      Object.entries(files).map(([path, { content: _, ...entry }]) => [path, entry] as const),
    ),
  }
  const entries: Record<string, Uint8Array> = { 'manifest.json': strToU8(JSON.stringify(manifest)) }
  for (const [path, file] of Object.entries(files)) {
    entries[path] = typeof file.content === 'string' ? strToU8(file.content) : file.content
  }
  return Buffer.from(zipSync(entries))
}

/** The bundle `sentry-cli sourcemaps inject` + `upload` sends for `/static/app.js` and its map. */
function appBundle(debugId = DEBUG_ID, map = MAP): Buffer {
  return artifactBundle({
    'files/_/_/static/app.js': {
      type: 'minified_source',
      url: '~/static/app.js',
      headers: { 'debug-id': debugId, sourcemap: 'app.js.map' },
      content: `main();\n//# debugId=${debugId}\n//# sourceMappingURL=app.js.map\n`,
    },
    'files/_/_/static/app.js.map': {
      type: 'source_map',
      url: '~/static/app.js.map',
      headers: { 'debug-id': debugId },
      content: map,
    },
  })
}

interface Chunked {
  checksum: string
  chunks: { checksum: string; content: Buffer }[]
}

/** `zip` cut into `parts` chunks, each named by its SHA-1, as the tools cut a bundle before uploading it. */
function chunked(zip: Buffer, parts = 2): Chunked {
  const size = Math.ceil(zip.length / parts)
  const chunks = []
  for (let at = 0; at < zip.length; at += size) {
    const content = zip.subarray(at, at + size)
    chunks.push({ checksum: sha1(content), content })
  }
  return { checksum: sha1(zip), chunks }
}

interface Part {
  field: 'file' | 'file_gzip'
  filename: string
  bytes: Uint8Array
}

/** A chunk-upload body: one multipart part per chunk, its filename the SHA-1 of its (uncompressed) content. */
function chunkForm(parts: Part[]): FormData {
  const form = new FormData()
  for (const part of parts) form.append(part.field, new Blob([new Uint8Array(part.bytes)]), part.filename)
  return form
}

/** The chunks of `bundle` as parts, alternating `file` and `file_gzip` (sentry-cli gzips them; plugins may not). */
function partsOf(bundle: Chunked): Part[] {
  return bundle.chunks.map((chunk, i) =>
    i % 2 === 0
      ? { field: 'file', filename: chunk.checksum, bytes: chunk.content }
      : { field: 'file_gzip', filename: chunk.checksum, bytes: gzipSync(chunk.content) },
  )
}

interface AssembleAnswer {
  state: string
  missingChunks: string[]
  detail: string | null
}

interface ListedMap {
  id: number
  project: string
  release: string | null
  file_url: string
  debug_id: string | null
  uploaded_at: string
}

describeDialects('Sentry upload API (/api/0/)', (dialect) => {
  let database: TestDatabase
  let harness: TestRelay

  /** A request to the relay, authenticated with the admin key as a bearer token unless `headers` say otherwise. */
  const call = (path: string, init: RequestInit = {}) =>
    harness.relay.fetch(
      new Request(`${BASE}${path}`, {
        ...init,
        headers: { ...bearer, ...(init.headers as Record<string, string>) },
      }),
    )
  const sendJson = (path: string, body: unknown, method = 'POST') =>
    call(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const upload = (parts: Part[]) =>
    call('/api/0/organizations/o/chunk-upload/', { method: 'POST', body: chunkForm(parts) })
  const assemble = async (
    bundle: Chunked,
    projects: string[] = ['web'],
    extra: Record<string, unknown> = {},
  ): Promise<AssembleAnswer> => {
    const response = await sendJson('/api/0/organizations/o/artifactbundle/assemble/', {
      checksum: bundle.checksum,
      chunks: bundle.chunks.map((chunk) => chunk.checksum),
      projects,
      ...extra,
    })
    expect(response.status, await response.clone().text()).toBe(200)
    return (await response.json()) as AssembleAnswer
  }
  /** What sentry-cli does: assemble, upload the chunks asked for, assemble again. */
  const uploadAndAssemble = async (bundle: Chunked, projects?: string[], extra?: Record<string, unknown>) => {
    let answer = await assemble(bundle, projects, extra)
    if (answer.state === 'not_found') {
      const missing = bundle.chunks.filter((chunk) => answer.missingChunks.includes(chunk.checksum))
      expect((await upload(partsOf({ ...bundle, chunks: missing }))).status).toBe(200)
      answer = await assemble(bundle, projects, extra)
    }
    return answer
  }
  const listMaps = async (): Promise<ListedMap[]> => {
    const response = await call('/api/source-maps')
    expect(response.status).toBe(200)
    return ((await response.json()) as { source_maps: ListedMap[] }).source_maps
  }
  const rows = async (table: string) => (await database.db.selectFrom(table).selectAll().execute()).length
  const detailOf = async (response: Response) => ((await response.json()) as { detail: string }).detail

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    harness = await createTestRelay(
      { sourceMaps: { maxBytes: MAX_MAP_BYTES, maxBundleBytes: MAX_BUNDLE_BYTES } },
      database,
    )
    // A second project, for uploads to several projects.
    await harness.relay.service.createKey({ project: 'shop' })
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    for (const table of [SOURCE_MAP_TABLE, CHUNK_TABLE, BUNDLE_TABLE])
      await database.db.deleteFrom(table).execute()
  })

  it('keeps every build of a release: the URL goes to the newest, each debug ID to its own map', async () => {
    const mapOf = (line: string) =>
      JSON.stringify({ version: 3, sources: [`src/${line}.ts`], names: [], mappings: 'AAAA' })
    for (const [id, name] of [
      [DEBUG_ID, 'staging'],
      [OTHER_DEBUG_ID, 'prod'],
    ] as const) {
      expect(
        (await uploadAndAssemble(chunked(appBundle(id, mapOf(name))), ['web'], { version: '1.0.0' })).state,
      ).toBe('ok')
    }
    const maps = await listMaps()
    expect(maps.map((map) => [map.debug_id, map.release])).toEqual([
      [DEBUG_ID, null],
      [OTHER_DEBUG_ID, '1.0.0'],
    ])
    const symbolicate = (debugId: string | undefined) =>
      harness.relay.service.symbolicate(
        { project: 'web' } as never,
        {
          release: '1.0.0',
          debugIds: new Map(debugId ? [['https://cdn.example.com/static/app.js', debugId]] : []),
        },
        [
          {
            type: 'E',
            value: 'v',
            frames: [{ abs_path: 'https://cdn.example.com/static/app.js', lineno: 1, colno: 1 }],
          },
        ],
      )
    expect((await symbolicate(DEBUG_ID))[0]!.frames[0]!.filename).toBe('src/staging.ts')
    expect((await symbolicate(OTHER_DEBUG_ID))[0]!.frames[0]!.filename).toBe('src/prod.ts')
    expect((await symbolicate(undefined))[0]!.frames[0]!.filename).toBe('src/prod.ts')
    // A build never uploaded is not mapped through another build's map of the same release and URL.
    const unknown = (await symbolicate('00000000-0000-4000-8000-000000000000'))[0]!.frames[0]!
    expect(unknown.abs_path).toBe('https://cdn.example.com/static/app.js')
    expect(unknown.unmapped_reason).toContain(`is of another build (${OTHER_DEBUG_ID})`)
  })

  it('assembles a bundle once when it is asked for twice at the same time', async () => {
    const bundle = chunked(appBundle())
    expect((await upload(partsOf(bundle))).status).toBe(200)
    const answers = await Promise.all([assemble(bundle), assemble(bundle), assemble(bundle)])
    expect(answers.map((answer) => answer.state)).toEqual(['ok', 'ok', 'ok'])
    expect(await rows(SOURCE_MAP_TABLE)).toBe(1)
  })

  it('takes a numeric project in release calls (sentry-cli sends one as a JSON number)', async () => {
    const { id } = (await harness.relay.service.findProject('web'))!
    const response = await sendJson('/api/0/organizations/o/releases/', { version: '1.0.0', projects: [id] })
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ version: '1.0.0', projects: [{ slug: 'web' }] })
  })

  it('takes release "undefined" (the bundler plugins without a release) as no release', async () => {
    // As the plugins send it: in the request and in the manifest.
    const bundle = artifactBundle(
      {
        'files/_/_/static/app.js.map': {
          type: 'source_map',
          url: '~/static/app.js.map',
          headers: { 'debug-id': DEBUG_ID },
          content: MAP,
        },
      },
      'undefined',
    )
    expect((await uploadAndAssemble(chunked(bundle), ['web'], { version: 'undefined' })).state).toBe('ok')
    expect((await listMaps()).map((map) => map.release)).toEqual([null])
  })

  it('takes a full request of incompressible chunks, whose gzip and framing exceed the advertised size', async () => {
    // sentry-cli fills a request up to maxRequestSize by uncompressed size, then gzips: random data grows a little.
    const chunks = Array.from({ length: 4 }, () => randomBytes(CHUNK_BYTES))
    const parts = chunks.map((bytes) => ({
      field: 'file_gzip' as const,
      filename: sha1(bytes),
      bytes: gzipSync(bytes),
    }))
    expect(parts.reduce((sum, part) => sum + part.bytes.length, 0)).toBeGreaterThan(4 * CHUNK_BYTES)
    const response = await upload(parts)
    expect(response.status, await response.clone().text()).toBe(200)
    expect(await rows(CHUNK_TABLE)).toBe(4)
  }, 60_000) // 32 MiB stored: over 20 s on PGlite on a busy 2-core machine

  it('refuses more chunks per request than advertised, and chunks inflating past the request size', async () => {
    const tiny = Array.from({ length: 65 }, (_, i) => Buffer.from(`chunk ${i}`))
    const many = await upload(tiny.map((bytes) => ({ field: 'file', filename: sha1(bytes), bytes })))
    expect([many.status, await detailOf(many)]).toEqual([400, 'At most 64 chunks per request, got 65'])
    const zeros = (n: number) => new Uint8Array(CHUNK_BYTES).fill(n)
    const bombs = [1, 2, 3, 4, 5].map((n) => ({
      field: 'file_gzip' as const,
      filename: sha1(zeros(n)),
      bytes: gzipSync(zeros(n)),
    }))
    const inflating = await upload(bombs)
    expect(inflating.status).toBe(413)
    expect(await rows(CHUNK_TABLE)).toBe(0)
  })

  it('maps a browser error by the debug IDs @monlight/browser sends (debug_ids), with no release', async () => {
    // A map whose line 1, column 0 is src/checkout.ts line 3 (one segment: 0 generated, source 0, line +2, col 0).
    const map = JSON.stringify({ version: 3, sources: ['src/checkout.ts'], names: [], mappings: 'AAEA' })
    expect((await uploadAndAssemble(chunked(appBundle(DEBUG_ID, map)))).state).toBe('ok')
    const file = 'https://cdn.example.com/assets/app.3f9a1c.js'
    const response = await harness.relay.fetch(
      new Request(`${BASE}/api/browser/errors`, {
        method: 'POST',
        headers: { 'x-monlight-key': DSN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'TypeError',
          message: 'boom',
          stack: `TypeError: boom\n    at pay (${file}:1:1)`,
          debug_ids: { [file]: DEBUG_ID.toUpperCase(), 'https://x.test/a.js': 'not a debug id' },
        }),
      }),
    )
    expect(response.status).toBeLessThan(300)
    expect(harness.errors.reports.at(-1)?.traceback).toBe('TypeError: boom\n    at pay (src/checkout.ts:3:1)')
  })

  it('answers GET /api/0/ with the admin key as a bearer token, and 401 without it', async () => {
    expect((await call('/api/0/')).status).toBe(200)
    expect((await call('/api/0/', { headers: { authorization: '' } })).status).toBe(401)
    expect((await call('/api/0/', { headers: { authorization: 'Bearer wrong-key' } })).status).toBe(401)
    expect(
      (await call('/api/0/', { headers: { authorization: '', 'x-api-key': ADMIN_KEY } })).status,
      'X-API-Key works too',
    ).toBe(200)
    // Every route under /api/0/ is the admin's, not only the root.
    const options = await call('/api/0/organizations/o/chunk-upload/', { headers: { authorization: '' } })
    expect(options.status).toBe(401)
  })

  it('tells the tools where and how to upload chunks', async () => {
    const response = await call('/api/0/organizations/my%20org/chunk-upload/')
    expect(response.status).toBe(200)
    const options = (await response.json()) as Record<string, unknown>
    // sentry-cli posts the chunks to this URL as given, so it must be absolute and keep the org.
    expect(options.url).toBe(`${BASE}/api/0/organizations/my%20org/chunk-upload/`)
    expect(options).toMatchObject({
      chunkSize: CHUNK_BYTES,
      hashAlgorithm: 'sha1',
      maxFileSize: MAX_BUNDLE_BYTES,
    })
    expect(options.accept).toContain('artifact_bundles')
    expect(options.compression).toContain('gzip')
  })

  it('runs the whole protocol: not_found, upload (file and file_gzip), ok, maps listed', async () => {
    const bundle = chunked(appBundle())
    expect(bundle.chunks).toHaveLength(2)

    const first = await assemble(bundle)
    expect(first).toEqual({
      state: 'not_found',
      missingChunks: bundle.chunks.map((chunk) => chunk.checksum),
      detail: "2 of the bundle's chunks are not on the relay: upload them (missingChunks) and ask again",
    })

    const uploaded = await upload(partsOf(bundle))
    expect(uploaded.status).toBe(200)
    expect(await uploaded.json()).toEqual({})
    expect(await rows(CHUNK_TABLE)).toBe(2)

    const done = await assemble(bundle)
    expect(done.state).toBe('ok')
    expect(done.detail).toContain('stored 1 source maps (1 with debug IDs) for web')
    expect(await listMaps()).toMatchObject([
      { project: 'web', release: null, file_url: '/static/app.js', debug_id: DEBUG_ID },
    ])
    // The chunks stay until the daily clean-up: the same zip may be asked for another project or release.
    expect(await rows(CHUNK_TABLE)).toBe(2)
  })

  it('answers ok again for a bundle already assembled, without storing its maps again', async () => {
    const bundle = chunked(appBundle())
    expect((await uploadAndAssemble(bundle)).state).toBe('ok')
    const stored = await listMaps()

    const again = await assemble(bundle)
    expect(again.state).toBe('ok')
    expect(again.detail).toContain('stored 1 source maps')
    // Storing again would replace the row (same debug ID) under a new id: same ids mean nothing was rewritten.
    expect(await listMaps()).toEqual(stored)
    expect(await rows(SOURCE_MAP_TABLE)).toBe(1)
  })

  it('stores the release named by version (sentry-cli --release), else the manifest’s', async () => {
    const withVersion = chunked(appBundle())
    expect((await uploadAndAssemble(withVersion, ['web'], { version: 'shop@1.0.0' })).detail).toContain(
      'release shop@1.0.0',
    )
    const fromManifest = chunked(
      artifactBundle(
        { 'a.map': { type: 'source_map', url: '~/static/vendor.js.map', content: MAP } },
        'shop@2.0.0',
      ),
    )
    expect((await uploadAndAssemble(fromManifest)).state).toBe('ok')
    expect((await listMaps()).map((map) => [map.file_url, map.release, map.debug_id])).toEqual([
      ['/static/app.js', 'shop@1.0.0', DEBUG_ID],
      ['/static/vendor.js', 'shop@2.0.0', null],
    ])
  })

  it('stores the maps for every project named, by name or number', async () => {
    const shop = await harness.relay.service.findProject('shop')
    const answer = await uploadAndAssemble(chunked(appBundle()), ['web', String(shop!.id), 'shop'])
    expect(answer.state).toBe('ok')
    expect((await listMaps()).map((map) => map.project).sort()).toEqual(['shop', 'web'])
  })

  // The same build uploaded to a second project (or under another release) has the same checksum; "already
  // assembled" must not mean "already stored for this project".
  it('stores a bundle assembled before for one project when it is uploaded for another', async () => {
    const bundle = chunked(appBundle())
    expect((await uploadAndAssemble(bundle, ['web'])).state).toBe('ok')
    expect((await uploadAndAssemble(bundle, ['shop'])).state).toBe('ok')
    expect((await listMaps()).map((map) => map.project).sort()).toEqual(['shop', 'web'])
  })

  it('stores a bundle assembled before for one release when it is uploaded for another', async () => {
    // Maps without debug IDs are found by release only, so release 2.0.0 needs rows of its own.
    const bundle = chunked(
      artifactBundle({ 'a.map': { type: 'source_map', url: '~/static/app.js.map', content: MAP } }),
    )
    expect((await uploadAndAssemble(bundle, ['web'], { version: '1.0.0' })).state).toBe('ok')
    expect((await uploadAndAssemble(bundle, ['web'], { version: '2.0.0' })).state).toBe('ok')
    expect((await listMaps()).map((map) => map.release).sort()).toEqual(['1.0.0', '2.0.0'])
  })

  it('stores a bundle again once its map was deleted (DELETE /api/source-maps/{id})', async () => {
    const bundle = chunked(appBundle())
    expect((await uploadAndAssemble(bundle)).state).toBe('ok')
    const [map] = await listMaps()
    expect((await call(`/api/source-maps/${map!.id}`, { method: 'DELETE' })).status).toBe(200)
    expect(await listMaps()).toEqual([])

    // Its chunks are still there (the clean-up is daily): assembling it again stores it again.
    expect((await assemble(bundle)).state).toBe('ok')
    expect(await listMaps()).toMatchObject([{ file_url: '/static/app.js', debug_id: DEBUG_ID }])
  })

  it('refuses a chunk whose content does not match its SHA-1 name, storing none of the request', async () => {
    const good = Buffer.from('a good chunk')
    const damaged = Buffer.from('damaged on the way')
    const claimed = sha1('what was sent')
    const response = await upload([
      { field: 'file', filename: sha1(good), bytes: good },
      { field: 'file_gzip', filename: claimed, bytes: gzipSync(damaged) },
    ])
    expect(response.status).toBe(400)
    const detail = await detailOf(response)
    expect(detail).toContain(claimed)
    expect(detail).toContain('SHA-1')
    expect(detail).toContain(sha1(damaged))
    expect(await rows(CHUNK_TABLE)).toBe(0)
  })

  it.each([
    ['not hex', 'app.js.map'],
    ['too short', 'abc123'],
    ['upper case', sha1('x').toUpperCase()],
    ['a path', `../${sha1('x')}`],
  ])('refuses a chunk whose filename is %s', async (_, filename) => {
    const response = await upload([{ field: 'file', filename, bytes: Buffer.from('x') }])
    expect(response.status).toBe(400)
    expect(await detailOf(response)).toContain('40 hex digits')
    expect(await rows(CHUNK_TABLE)).toBe(0)
  })

  it('refuses a file_gzip part that is not gzip', async () => {
    const content = Buffer.from('plain bytes')
    const response = await upload([{ field: 'file_gzip', filename: sha1(content), bytes: content }])
    expect(response.status).toBe(400)
    expect(await detailOf(response)).toContain('is not gzip data')
  })

  it('refuses a body that is not multipart, or broken multipart', async () => {
    const json = await sendJson('/api/0/organizations/o/chunk-upload/', { file: 'x' })
    expect(json.status).toBe(400)
    expect(await detailOf(json)).toContain('multipart/form-data')

    const broken = await call('/api/0/organizations/o/chunk-upload/', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nno closing boundary',
    })
    expect(broken.status).toBe(400)
    expect(await detailOf(broken)).toContain('Invalid multipart body')

    const noChunks = new FormData()
    noChunks.append('other', 'value')
    const empty = await call('/api/0/organizations/o/chunk-upload/', { method: 'POST', body: noChunks })
    expect(empty.status).toBe(400)
    expect(await detailOf(empty)).toContain('No chunks')
  })

  it('refuses a chunk over the chunk size (413), and a gzip part inflating past it', async () => {
    const big = randomBytes(CHUNK_BYTES + 1)
    const plain = await upload([{ field: 'file', filename: sha1(big), bytes: big }])
    expect(plain.status).toBe(413)
    expect(await detailOf(plain)).toContain(`chunk size of ${CHUNK_BYTES} bytes`)

    // 9 MiB of zeros gzip to a few KB: refused while inflating, never held whole.
    const zeros = new Uint8Array(CHUNK_BYTES + MIB)
    const bomb = await upload([{ field: 'file_gzip', filename: sha1(zeros), bytes: gzipSync(zeros) }])
    expect(bomb.status).toBe(413)
    expect(await detailOf(bomb)).toContain(String(CHUNK_BYTES))
    expect(await rows(CHUNK_TABLE)).toBe(0)
  })

  it('answers error, storing nothing, when the chunks do not add up to the checksum', async () => {
    const bundle = chunked(appBundle())
    expect((await upload(partsOf(bundle))).status).toBe(200)
    const wrong = { ...bundle, checksum: sha1('another bundle') }
    const answer = await assemble(wrong)
    expect(answer.state).toBe('error')
    expect(answer.detail).toContain(`do not add up to the bundle's checksum ${wrong.checksum}`)
    expect(await rows(SOURCE_MAP_TABLE)).toBe(0)
    // An error is not remembered: asking again assembles again (and fails again), the chunks are kept for it.
    expect(await rows(BUNDLE_TABLE)).toBe(0)
    expect((await assemble(wrong)).state).toBe('error')
    expect(await rows(CHUNK_TABLE)).toBe(2)
  })

  it('answers error for a map that is not a source map, storing none of the bundle', async () => {
    const bundle = chunked(
      artifactBundle({
        'files/good.map': {
          type: 'source_map',
          url: '~/static/good.js.map',
          headers: { 'debug-id': DEBUG_ID },
          content: MAP,
        },
        'files/bad.map': {
          type: 'source_map',
          url: '~/static/bad.js.map',
          headers: { 'debug-id': OTHER_DEBUG_ID },
          content: JSON.stringify({ version: 3, sources: 'not an array', mappings: 'AAAA' }),
        },
      }),
    )
    const answer = await uploadAndAssemble(bundle)
    expect(answer.state).toBe('error')
    expect(answer.detail).toContain('files/bad.map is not a source map')
    // All of a bundle or nothing: the good map is not stored either.
    expect(await rows(SOURCE_MAP_TABLE)).toBe(0)
    expect(await rows(BUNDLE_TABLE)).toBe(0)
  })

  it('answers error for a bundle that is not a zip, or whose map is over the map size', async () => {
    const notZip = chunked(Buffer.from('not a zip at all'), 1)
    const answer = await uploadAndAssemble(notZip)
    expect(answer.state).toBe('error')
    expect(answer.detail).toContain('not a zip archive')

    const big = JSON.stringify({ version: 3, sources: [], mappings: 'A'.repeat(MAX_MAP_BYTES) })
    const tooBig = await uploadAndAssemble(chunked(appBundle(DEBUG_ID, big)))
    expect(tooBig.state).toBe('error')
    expect(tooBig.detail).toContain(`over the limit of ${MAX_MAP_BYTES}`)
    expect(await rows(SOURCE_MAP_TABLE)).toBe(0)
  })

  // maxBundleBytes is documented as the largest bundle, "the zip, and its maps inflated", and the chunk-upload
  // options tell the tools so (maxFileSize). Without a check on the zip, an assemble request naming one stored
  // chunk many times also makes the relay concatenate that many copies in memory before anything else is checked.
  it('answers error for a bundle whose zip is over maxBundleBytes', async () => {
    const zip = artifactBundle({
      // Incompressible, so that the zip itself is over the limit; its maps are small.
      'files/app.js': {
        type: 'minified_source',
        url: '~/static/app.js',
        content: randomBytes(MAX_BUNDLE_BYTES),
      },
      'files/app.js.map': {
        type: 'source_map',
        url: '~/static/app.js.map',
        headers: { 'debug-id': DEBUG_ID },
        content: MAP,
      },
    })
    expect(zip.length).toBeGreaterThan(MAX_BUNDLE_BYTES)
    const answer = await uploadAndAssemble(chunked(zip))
    expect(answer.state).toBe('error')
    expect(await rows(SOURCE_MAP_TABLE)).toBe(0)
  })

  it.each([
    ['an unknown project', { projects: ['nope'] }, 'Unknown project "nope"'],
    ['no projects', { projects: [] }, 'name the project'],
    ['projects missing', { projects: undefined }, 'name the project'],
    ['a checksum that is not hex', { checksum: 'z'.repeat(40) }, 'checksum'],
    ['no chunks', { chunks: [] }, 'chunks'],
    ['a chunk that is not a SHA-1', { chunks: ['abc'] }, 'chunks.0'],
  ])('refuses an assemble request with %s (400)', async (_, change, detail) => {
    const response = await sendJson('/api/0/organizations/o/artifactbundle/assemble/', {
      checksum: sha1('bundle'),
      chunks: [sha1('chunk')],
      projects: ['web'],
      ...change,
    })
    expect(response.status).toBe(400)
    expect(await detailOf(response)).toContain(detail)
  })

  it('refuses an assemble request that is not JSON (400)', async () => {
    const response = await sendJson('/api/0/organizations/o/artifactbundle/assemble/', '{"checksum": ')
    expect(response.status).toBe(400)
    expect(await detailOf(response)).toContain('Invalid JSON')
  })

  it('answers the release calls with the shapes sentry-cli reads', async () => {
    const created = await sendJson('/api/0/organizations/o/releases/', {
      version: 'shop@1.0.0',
      projects: ['web'],
    })
    expect(created.status).toBe(201)
    const release = (await created.json()) as Record<string, unknown>
    expect(release).toMatchObject({ version: 'shop@1.0.0', projects: [{ slug: 'web', name: 'web' }] })
    expect(new Date(release.dateCreated as string).toISOString()).toBe(release.dateCreated)

    const byProject = await sendJson('/api/0/projects/o/shop/releases/', { version: '2.0.0' })
    expect(byProject.status).toBe(201)
    expect(await byProject.json()).toMatchObject({ version: '2.0.0', projects: [{ slug: 'shop' }] })

    // finalize: a PUT with dateReleased; the version arrives percent-encoded.
    const finalized = await sendJson(
      '/api/0/projects/o/web/releases/app%401.2.3%2Bbuild/',
      { dateReleased: '2026-01-01T00:00:00Z' },
      'PUT',
    )
    expect(finalized.status).toBe(200)
    expect(await finalized.json()).toMatchObject({
      version: 'app@1.2.3+build',
      dateReleased: '2026-01-01T00:00:00Z',
      projects: [{ slug: 'web' }],
    })
    const emptyPut = await call('/api/0/organizations/o/releases/1.0/', { method: 'PUT' })
    expect(emptyPut.status).toBe(200)
    expect(await emptyPut.json()).toMatchObject({ version: '1.0', projects: [] })

    const files = await call('/api/0/projects/o/web/releases/1.0/files/')
    expect(files.status).toBe(200)
    expect(await files.json()).toEqual([])
    expect(await (await call('/api/0/organizations/o/repos/')).json()).toEqual([])
    const previous = await call('/api/0/organizations/o/releases/1.0/previous-with-commits/')
    expect(previous.status).toBe(200)
    expect(await previous.json()).toEqual({})
  })

  it('refuses release calls for an unknown project (400, which sentry-cli prints)', async () => {
    for (const response of [
      await sendJson('/api/0/organizations/o/releases/', { version: '1.0', projects: ['nope'] }),
      await sendJson('/api/0/projects/o/nope/releases/', { version: '1.0' }),
      await sendJson('/api/0/projects/o/nope/releases/1.0/', {}, 'PUT'),
      await call('/api/0/projects/o/nope/releases/1.0/files/'),
    ]) {
      expect(response.status).toBe(400)
      expect(await detailOf(response)).toContain('Unknown project "nope"')
    }
    const noVersion = await sendJson('/api/0/organizations/o/releases/', { projects: ['web'] })
    expect(noVersion.status).toBe(400)
  })

  it('answers other paths of the API with a 404 saying what is served', async () => {
    for (const path of ['/api/0/organizations/o/whatever/', '/api/0/projects/o/web/files/dsyms/']) {
      const response = await call(path)
      expect(response.status, path).toBe(404)
      expect(await detailOf(response)).toContain('is not part of the Sentry API Monlight serves')
    }
  })

  it('leaves /api/0/envelope/ to the Sentry envelope route (project id 0), not the API', async () => {
    const response = await call('/api/0/envelope/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-sentry-envelope' },
      body: `${JSON.stringify({ event_id: 'c0ffee00c0ffee00c0ffee00c0ffee00' })}\n{"type":"event"}\n{}\n`,
    })
    expect([400, 401]).toContain(response.status)
    expect(await response.text()).not.toContain('Sentry API Monlight serves')
  })
})
