import { createHash } from 'node:crypto'
import { type Logger, MonlightError } from '@monlight/core'
import type { NewSourceMap, RelayStore } from '../store/store.js'
import { readArtifactBundle } from './artifact-bundle.js'
import { isSourceMap } from './validate.js'

const DAY_MS = 86_400_000

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
 * bundle is held in memory whole); a bundle assembled is remembered by checksum, so asking again answers `ok`.
 */
export function createBundleAssembler(deps: BundleAssemblerDeps) {
  const { store, logger } = deps
  const running = new Map<string, { started: boolean; done: Promise<AssembleAnswer> }>()
  let queue: Promise<unknown> = Promise.resolve()
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`

  const answer = (state: AssembleAnswer['state'], detail: string | null = null): AssembleAnswer => ({
    state,
    missingChunks: [],
    detail,
  })

  /** Assembles `request`; `key` names the outcome (the bundle and where it went). */
  const assembleNow = async (request: AssembleRequest, key: string): Promise<AssembleAnswer> => {
    try {
      // Sizes first: the bundle is only read into memory once it is known to fit.
      const sizes = await store.chunkSizes(request.chunks)
      const missing = request.chunks.filter((checksum) => !sizes.has(checksum))
      if (missing.length > 0) return { state: 'not_found', missingChunks: missing, detail: null }
      const size = request.chunks.reduce((sum, checksum) => sum + sizes.get(checksum)!, 0)
      if (size > deps.maxBundleBytes) {
        throw new MonlightError(
          'PAYLOAD_TOO_LARGE',
          `the bundle is ${size} bytes, over the limit of ${deps.maxBundleBytes}: upload the build in parts`,
        )
      }
      const chunks = await store.getChunks(request.chunks)
      const gone = request.chunks.filter((checksum) => !chunks.has(checksum))
      // Dropped meanwhile (the daily clean-up): uploading them again lets the next request assemble.
      if (gone.length > 0) return { state: 'not_found', missingChunks: gone, detail: null }
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
      const release = request.release || bundle.release || null
      if (release !== null && release.length > 100) throw bad('the release name is over 100 characters')
      const rows: NewSourceMap[] = []
      const uploadedAt = iso(deps.now())
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
      await store.putBundle({ checksum: key, detail, assembled_at: uploadedAt })
      await store.deleteChunks(request.chunks)
      logger.info('artifact bundle assembled', { checksum: request.checksum, maps: bundle.maps.length })
      return answer('ok', detail)
    } catch (error) {
      // The bundle's own fault. Its chunks stay until the daily clean-up, so asking again (after raising a limit,
      // say) assembles it again.
      if (MonlightError.is(error) && error.status < 500) return answer('error', error.message)
      logger.error('artifact bundle assembly failed', { checksum: request.checksum, error })
      return answer('error', 'the relay could not store the bundle (see its log); upload it again')
    }
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
      await store.putChunks(chunks, iso(deps.now()))
    },

    async assemble(request: AssembleRequest): Promise<AssembleAnswer> {
      // The same zip may go to another project or release, which stores it again.
      const key = sha1(
        Buffer.from(
          [request.checksum, [...request.projects].sort().join(','), request.release ?? ''].join('\u0000'),
        ),
      )
      const done = await store.getBundle(key)
      if (done) return answer('ok', done.detail)
      let job = running.get(key)
      if (!job) {
        const sizes = await store.chunkSizes(request.chunks)
        const missing = request.chunks.filter((checksum) => !sizes.has(checksum))
        if (missing.length > 0) return { state: 'not_found', missingChunks: missing, detail: null }
        const started = { started: false, done: undefined as unknown as Promise<AssembleAnswer> }
        started.done = queue.then(() => {
          started.started = true
          return assembleNow(request, key)
        })
        queue = started.done.catch(() => {})
        running.set(key, started)
        void started.done.finally(() => running.delete(key))
        job = started
      }
      const current = job
      let timer: NodeJS.Timeout | undefined
      const pending = new Promise<AssembleAnswer>((resolve) => {
        timer = setTimeout(() => resolve(answer(current.started ? 'assembling' : 'created')), deps.waitMs)
      })
      try {
        return await Promise.race([current.done, pending])
      } finally {
        clearTimeout(timer)
      }
    },

    /** Drops chunks never assembled and outcomes older than a day. */
    async applyRetention(): Promise<void> {
      await store.deleteUploadsBefore(iso(deps.now() - DAY_MS))
    },
  }
}

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex')
}

function bad(detail: string): MonlightError {
  return new MonlightError('BAD_REQUEST', detail)
}
