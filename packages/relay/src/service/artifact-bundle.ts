import type { Readable } from 'node:stream'
import { MonlightError } from '@monlight/core'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import * as z from 'zod'
import { debugIdOf } from './validate.js'

/** A source map of an artifact bundle, with the file it maps and its debug ID. */
export interface BundledMap {
  /** Where the minified file is served: `/static/app.js` (from `~/static/app.js`) or a full URL. */
  fileUrl: string
  debugId: string | null
  content: string
  /** Its path inside the bundle, for messages. */
  path: string
}

export interface ArtifactBundle {
  /** The release the manifest names, if any. */
  release: string | undefined
  maps: BundledMap[]
}

export interface BundleLimits {
  /** Largest map (uncompressed). */
  maxMapBytes: number
  /** All maps of the bundle together (uncompressed), which the relay holds in memory at once. */
  maxTotalBytes: number
}

const MAX_ENTRIES = 10_000
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024

const manifestSchema = z.object({
  files: z.record(
    z.string(),
    z.object({
      type: z.string(),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
    }),
  ),
  release: z.string().optional(),
})
type ManifestFile = z.output<typeof manifestSchema>['files'][string]

/**
 * The source maps of a Sentry artifact bundle (what `sentry-cli sourcemaps upload` and the bundler plugins
 * send): a zip of `manifest.json` and files, each map tied to its minified file by the file's `sourcemap`
 * header and carrying the `debug-id` header written by `sourcemaps inject`. Entries are inflated with their
 * declared sizes enforced, so a zip bomb ends at the limits; every problem is a 400 saying what to fix.
 */
export async function readArtifactBundle(zip: Buffer, limits: BundleLimits): Promise<ArtifactBundle> {
  let archive: ZipFile
  try {
    archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, strictFileNames: false })
  } catch (error) {
    throw bad(`the artifact bundle is not a zip archive (${(error as Error).message})`)
  }
  try {
    const entries = await listEntries(archive)
    const byName = new Map(entries.map((entry) => [entry.fileName, entry]))
    const manifestEntry = byName.get('manifest.json')
    if (!manifestEntry) throw bad('the artifact bundle has no manifest.json')
    const manifest = parseManifest(await readEntry(archive, manifestEntry, MAX_MANIFEST_BYTES))

    const files = Object.entries(manifest.files)
    for (const [path] of files) {
      if (!byName.has(path)) throw bad(`manifest.json lists ${clip(path)}, which is not in the bundle`)
    }
    // A minified file names its map relative to its own URL (`sourcemap: app.js.map`).
    const mappedBy = new Map<string, ManifestFile>()
    for (const [, file] of files) {
      const reference = header(file, 'sourcemap') ?? header(file, 'x-sourcemap')
      if (file.type === 'minified_source' && reference && !reference.startsWith('data:')) {
        mappedBy.set(resolveUrl(reference, file.url), file)
      }
    }

    const maps: BundledMap[] = []
    let total = 0
    for (const [path, file] of files) {
      if (file.type !== 'source_map') continue
      const entry = byName.get(path)!
      if (entry.uncompressedSize > limits.maxMapBytes) {
        throw new MonlightError(
          'PAYLOAD_TOO_LARGE',
          `source map ${clip(path)} is ${entry.uncompressedSize} bytes, over the limit of ${limits.maxMapBytes}`,
        )
      }
      total += entry.uncompressedSize
      if (total > limits.maxTotalBytes) {
        throw new MonlightError(
          'PAYLOAD_TOO_LARGE',
          `the bundle's source maps exceed ${limits.maxTotalBytes} bytes together: upload it in parts`,
        )
      }
      const content = (await readEntry(archive, entry, limits.maxMapBytes)).toString('utf8')
      const minified = mappedBy.get(fileUrlOf(file.url))
      maps.push({
        fileUrl: fileUrlOf(minified?.url ?? file.url.replace(/\.map$/, '')),
        debugId: debugIdOf(header(file, 'debug-id') ?? (minified && header(minified, 'debug-id'))),
        content,
        path,
      })
    }
    if (maps.length === 0) throw bad('the artifact bundle holds no source maps (no file of type source_map)')
    return { release: manifest.release || undefined, maps }
  } finally {
    archive.close()
  }
}

/** The key a map is stored under: `~/static/app.js` (any host) is the path `/static/app.js`. */
function fileUrlOf(url: string): string {
  const bare = url.replace(/[?#].*$/, '')
  if (bare.startsWith('~/')) return bare.slice(1)
  if (/^[a-z][\w+.-]*:\/\//i.test(bare)) return bare
  return `/${bare.replace(/^\.?\/+/, '')}`
}

/** `reference` resolved against the bundle URL `base`, in the form of {@link fileUrlOf}. */
function resolveUrl(reference: string, base: string): string {
  const root = 'http://bundle.invalid'
  const key = fileUrlOf(base)
  try {
    const url = new URL(reference, key.startsWith('/') ? `${root}${key}` : key)
    // URL percent-encodes what it resolves (`my app.js` → `my%20app.js`); manifest URLs are not encoded.
    return fileUrlOf(decodeURI(url.origin === root ? url.pathname : url.href))
  } catch {
    return fileUrlOf(reference)
  }
}

function header(file: ManifestFile, name: string): string | undefined {
  for (const [key, value] of Object.entries(file.headers ?? {})) {
    if (key.toLowerCase() === name) return value
  }
  return undefined
}

function parseManifest(bytes: Buffer): z.output<typeof manifestSchema> {
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw bad('manifest.json is not valid JSON')
  }
  const result = manifestSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]!
    throw bad(`manifest.json is not an artifact bundle manifest: ${issue.path.join('.')}: ${issue.message}`)
  }
  return result.data
}

function listEntries(archive: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = []
    archive.on('entry', (entry: Entry) => {
      entries.push(entry)
      if (entries.length > MAX_ENTRIES) {
        reject(bad(`the artifact bundle has more than ${MAX_ENTRIES} files`))
        return
      }
      archive.readEntry()
    })
    archive.on('end', () => resolve(entries))
    archive.on('error', (error: Error) =>
      reject(bad(`the artifact bundle is a broken zip (${error.message})`)),
    )
    archive.readEntry()
  })
}

/** An entry's content; yauzl stops a stream that inflates past its declared size, so `limit` holds. */
async function readEntry(archive: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  if (entry.uncompressedSize > limit) {
    throw new MonlightError('PAYLOAD_TOO_LARGE', `${clip(entry.fileName)} is over ${limit} bytes`)
  }
  try {
    const stream: Readable = await archive.openReadStreamPromise(entry)
    const parts: Buffer[] = []
    for await (const part of stream) parts.push(part as Buffer)
    return Buffer.concat(parts)
  } catch (error) {
    throw bad(`${clip(entry.fileName)} in the artifact bundle cannot be read (${(error as Error).message})`)
  }
}

function bad(detail: string): MonlightError {
  return new MonlightError('BAD_REQUEST', detail)
}

function clip(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)
}
