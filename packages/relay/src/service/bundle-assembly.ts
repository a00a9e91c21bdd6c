import { createHash } from 'node:crypto'
import { type Logger, MonlightError } from '@monlight/core'
import type { NewSourceMap, RelayStore } from '../store/store.js'
import { readArtifactBundle } from './artifact-bundle.js'
import { isoSeconds } from './service.js'
import { isSourceMap } from './validate.js'

const DAY_MS = 86_400_000
/** Maps stored by one assembly (maps × projects), so one request cannot hold the database for minutes. */
const MAX_ROWS = 10_000

/** An assembly queued or running; `started` once it left the queue. */
interface Job {
  started: boolean
  done: Promise<AssembleAnswer>
}

/** What `POST …/artifactbundle/assemble/` asks: the bundle's SHA-1, its chunks' in order, where it goes. */
export interface AssembleRequest {
  checksum: string
  chunks: string[]
  /** Project names (already resolved). */
  projects: string[]
  release?: string | undefined
}

/**
 * Sentry's assembly states: `not_found` (chunks missing, upload `missingChunks`), `created` (queued),
 * `assembling`, then `ok` or `error` (with `detail`).
 */
export interface AssembleAnswer {
  state: 'not_found' | 'created' | 'assembling' | 'ok' | 'error'
  missingChunks: string[]
  detail: string | null
}

export interface BundleAssemblerDeps {
  store: RelayStore
  maxMapBytes: number
  /** Largest bundle (the zip, and all its maps once inflated). */
  maxBundleBytes: number
  /** Largest chunk. */
  chunkBytes: number
  /** How long an assemble request waits for its assembly before answering `assembling`. */
  waitMs: number
  /** Called once maps are stored (caches of which releases have maps). */
  onStored: () => void
  logger: Logger
  now: () => number
}

export type BundleAssembler = ReturnType<typeof createBundleAssembler>

/**
 * Artifact bundles as Sentry's chunk upload builds them: chunks stored by SHA-1, then assembled into a zip whose
 * maps are stored by debug ID and by release + URL, all of a bundle or nothing. One assembly runs at a time (a
 * bundle is held in memory whole); a bundle assembled is remembered with its projects and release, so asking
 * again answers `ok`.
 */
export function createBundleAssembler(deps: BundleAssemblerDeps) {
  const { store, logger } = deps
  const running = new Map<string, Job>()
  let queue: Promise<unknown> = Promise.resolve()

  const answer = (state: AssembleAnswer['state'], detail: string | null = null): AssembleAnswer => ({
    state,
    missingChunks: [],
    detail,
  })
  const notFound = (missing: string[]): AssembleAnswer => ({
    state: 'not_found',
    missingChunks: missing,
    detail: `${missing.length} of the bundle's chunks are not on the relay: upload them (missingChunks) and ask again`,
  })

  /** Assembles `request`; `key` names the outcome (the bundle and where it went). */
  const assembleNow = async (request: AssembleRequest, key: string): Promise<AssembleAnswer> => {
    try {
      // Another instance (same database) may have assembled it meanwhile.
      const done = await store.getBundle(key)
      if (done) return answer('ok', done.detail)
      // Sizes first: the bundle is only read into memory once it is known to fit.
      const sizes = await store.chunkSizes(request.chunks)
      const missing = absent(request.chunks, sizes)
      if (missing.length > 0) return notFound(missing)
      const size = request.chunks.reduce((sum, checksum) => sum + sizes.get(checksum)!, 0)
      if (size > deps.maxBundleBytes) {
        throw new MonlightError(
          'PAYLOAD_TOO_LARGE',
          `the bundle is ${size} bytes, over the limit of ${deps.maxBundleBytes}: upload the build in parts`,
        )
      }
      const chunks = await store.getChunks(request.chunks)
      const gone = absent(request.chunks, chunks)
      // Dropped meanwhile (the daily clean-up): uploading them again lets the next request assemble.
      if (gone.length > 0) return notFound(gone)
      const zip = Buffer.concat(request.chunks.map((checksum) => chunks.get(checksum)!))
      chunks.clear()
      if (sha1(zip) !== request.checksum) {
        throw bad(
          `the chunks do not add up to the bundle's checksum ${request.checksum}: upload the bundle again`,
        )
      }
      const bundle = await readArtifactBundle(zip, {
        maxMapBytes: deps.maxMapBytes,
        maxTotalBytes: deps.maxBundleBytes,
      })
      // The bundler plugins upload with `--release undefined` (request and manifest) when none is configured.
      const release = [request.release, bundle.release].find((name) => name && name !== 'undefined') ?? null
      if (release !== null && release.length > 100) throw bad('the release name is over 100 characters')
      if (bundle.maps.length * request.projects.length > MAX_ROWS) {
        throw bad(
          `${bundle.maps.length} maps for ${request.projects.length} projects is over ${MAX_ROWS} maps stored at once: upload to fewer projects, or the build in parts`,
        )
      }
      const rows: NewSourceMap[] = []
      const uploadedAt = isoSeconds(deps.now())
      for (const map of bundle.maps) {
        if (!isSourceMap(map.content))
          throw bad(`${map.path} is not a source map (version, sources, mappings)`)
        if (map.fileUrl.length > 500) throw bad(`the URL of ${map.path} is over 500 characters`)
        if (map.debugId === null && release === null) {
          throw bad(
            `${map.path} has neither a debug ID nor a release, so no event could find it: run \`sentry-cli sourcemaps inject\` on the build first, or upload with --release`,
          )
        }
        const size = Buffer.byteLength(map.content)
        for (const project of request.projects) {
          rows.push({
            project,
            release,
            file_url: map.fileUrl,
            debug_id: map.debugId,
            map_content: map.content,
            size,
            uploaded_at: uploadedAt,
          })
        }
      }
      await store.putSourceMaps(rows)
      deps.onStored()
      const withIds = bundle.maps.filter((map) => map.debugId !== null).length
      const detail = `stored ${bundle.maps.length} source maps (${withIds} with debug IDs) for ${request.projects.join(', ')}${release === null ? '' : `, release ${release}`}`
      // The chunks stay until the daily clean-up: the same zip may be asked for another project or release.
      await store.putBundle({ checksum: key, detail, assembled_at: uploadedAt })
      logger.info('artifact bundle assembled', { checksum: request.checksum, maps: bundle.maps.length })
      return answer('ok', detail)
    } catch (error) {
      // The bundle's own fault. Its chunks stay until the daily clean-up, so asking again (after raising a limit,
      // say) assembles it again.
      if (MonlightError.is(error) && error.status < 500) return answer('error', error.message)
      // Two instances storing the same bundle at once: the one that lost sees the other's outcome.
      const done = await store.getBundle(key).catch(() => undefined)
      if (done) return answer('ok', done.detail)
      logger.error('artifact bundle assembly failed', { checksum: request.checksum, error })
      return answer('error', 'the relay could not store the bundle (see its log); upload it again')
    }
  }

  /** Queues the assembly of `request` (one at a time: a bundle is held in memory whole). */
  const start = (request: AssembleRequest, key: string): Job => {
    const job: Job = { started: false, done: Promise.resolve(answer('created')) }
    job.done = queue.then(() => {
      job.started = true
      return assembleNow(request, key)
    })
    queue = job.done.catch(() => {})
    running.set(key, job)
    void job.done.finally(() => running.delete(key))
    return job
  }

  return {
    /** Stores uploaded chunks after checking each against its SHA-1 name. */
    async putChunks(chunks: readonly { checksum: string; content: Buffer }[]): Promise<void> {
      for (const chunk of chunks) {
        if (!/^[0-9a-f]{40}$/.test(chunk.checksum)) {
          throw bad(
            `chunk names must be the SHA-1 of their content (40 hex digits), got ${chunk.checksum.slice(0, 64)}`,
          )
        }
        if (chunk.content.length > deps.chunkBytes) {
          throw new MonlightError(
            'PAYLOAD_TOO_LARGE',
            `chunk ${chunk.checksum} is over the chunk size of ${deps.chunkBytes} bytes`,
          )
        }
        if (sha1(chunk.content) !== chunk.checksum) {
          throw bad(
            `chunk ${chunk.checksum} does not match its SHA-1 (${sha1(chunk.content)}): it was damaged on the way`,
          )
        }
      }
      await store.putChunks(chunks, isoSeconds(deps.now()))
    },

    async assemble(request: AssembleRequest): Promise<AssembleAnswer> {
      const key = assemblyKey(request)
      const done = await store.getBundle(key)
      if (done) return answer('ok', done.detail)
      if (!running.has(key)) {
        const missing = absent(request.chunks, await store.chunkSizes(request.chunks))
        if (missing.length > 0) return notFound(missing)
      }
      // No await between looking and starting: one assembly per bundle, however many ask at once.
      const job = running.get(key) ?? start(request, key)
      let timer: NodeJS.Timeout | undefined
      const pending = new Promise<AssembleAnswer>((resolve) => {
        timer = setTimeout(() => resolve(answer(job.started ? 'assembling' : 'created')), deps.waitMs)
      })
      try {
        return await Promise.race([job.done, pending])
      } finally {
        clearTimeout(timer)
      }
    },

    /** Drops chunks last uploaded, and bundles assembled, more than a day ago. */
    async applyRetention(): Promise<void> {
      await store.deleteUploadsBefore(isoSeconds(deps.now() - DAY_MS))
    },
  }
}

/** What an outcome is remembered by: the zip and where it went (the same zip may go to another project). */
function assemblyKey(request: AssembleRequest): string {
  const target = [request.checksum, [...request.projects].sort().join(','), request.release ?? '']
  return sha1(Buffer.from(target.join('\u0000')))
}

/** The checksums of `checksums` that `present` lacks, in order. */
function absent(checksums: readonly string[], present: ReadonlyMap<string, unknown>): string[] {
  return checksums.filter((checksum) => !present.has(checksum))
}

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex')
}

function bad(detail: string): MonlightError {
  return new MonlightError('BAD_REQUEST', detail)
}
