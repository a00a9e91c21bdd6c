import { gunzipSync } from 'node:zlib'
import {
  MonlightError,
  parseInput,
  readBytes,
  readJson,
  readText,
  readValidatedJson,
  routeMeta,
} from '@monlight/core'
import type { H3, H3Event } from 'h3'
import * as z from 'zod'
import { requestBase } from '../../router/base-url.js'
import type { BundleAssembler } from '../../service/bundle-assembly.js'
import type { RelayService } from '../../service/service.js'

export interface SentryApiLimits {
  /** Bytes per chunk the tools cut a bundle into. */
  chunkBytes: number
  /** Bytes per chunk-upload request. */
  maxRequestBytes: number
  /** Largest artifact bundle. */
  maxBundleBytes: number
}

export interface SentryApiDeps {
  service: RelayService
  assembler: BundleAssembler
  limits: SentryApiLimits
  /** Where tools reach the relay (the chunk-upload URL they are told); default: the request's own origin. */
  publicUrl: string | undefined
  now: () => number
}

const PREFIX = '/api/0/'
/** Chunks per upload request, as advertised: more is refused (each one is held in memory until stored). */
const CHUNKS_PER_REQUEST = 64
/** Release calls carry commit lists (`set-commits`), larger than the relay's default body limit. */
const RELEASE_BODY_BYTES = 1024 * 1024
const sha1 = z.string().regex(/^[0-9a-f]{40}$/, 'must be a SHA-1 (40 lowercase hex digits)')
/** A project by name or number; sentry-cli sends an all-digit one as a JSON number. */
const projectName = z.union([z.string().min(1).max(100), z.int().nonnegative().transform(String)])
const projectList = z.array(projectName).max(20)
const assembleSchema = z.object({
  checksum: sha1,
  chunks: z.array(sha1).min(1).max(2_000),
  projects: projectList
    .default([])
    .refine(
      (projects) => projects.length > 0,
      'name the project (sentry-cli --project, or the plugin option project)',
    ),
  version: z.string().max(100).optional(),
})
const releaseUpdateSchema = z.object({
  projects: projectList.optional(),
  dateReleased: z.string().max(64).nullable().optional(),
})
const newReleaseSchema = releaseUpdateSchema.extend({ version: z.string().min(1).max(100) })

/**
 * The part of Sentry's web API that source-map uploads call (`sentry-cli sourcemaps upload`, the bundler
 * plugins): chunk upload, artifact-bundle assembly, and the release calls they make on the way, which are
 * answered with the release as sent (releases are labels on events here, not records). Authenticated with the
 * relay's admin key as `Authorization: Bearer`; `--org` is accepted as any name, `--project` is a project of
 * the relay (by name or number).
 */
export function mountSentryApiRoutes(app: H3, deps: SentryApiDeps): void {
  const { service, assembler, limits } = deps

  /** A project named by a tool. Unknown is a 400, not a 404: sentry-cli prints a 400's detail, not a 404's. */
  const projectOf = async (nameOrId: string) => {
    const project = await service.findProject(nameOrId)
    if (!project) {
      throw new MonlightError(
        'BAD_REQUEST',
        `Unknown project ${JSON.stringify(nameOrId.slice(0, 100))}: a project exists once it has a DSN key (monlight keys create <project>)`,
      )
    }
    return project
  }

  /** Sentry's release shape, as much of it as the tools read. */
  const release = async (version: string, projects: string[], dateReleased: string | null | undefined) => {
    const known = await Promise.all(projects.map(projectOf))
    return {
      version,
      url: null,
      dateCreated: new Date(deps.now()).toISOString(),
      dateReleased: dateReleased ?? null,
      lastEvent: null,
      newGroups: 0,
      projects: known.map((project) => ({ id: String(project.id), slug: project.name, name: project.name })),
    }
  }

  // What `sentry-cli info` shows: the token works.
  app.get(PREFIX, () => ({ user: null, auth: { scopes: ['org:read', 'project:releases', 'project:write'] } }))

  app.get(`${PREFIX}organizations/:org/chunk-upload/`, (event) => ({
    url: `${deps.publicUrl ?? requestBase(event, PREFIX)}${PREFIX}organizations/${encodeURIComponent(param(event, 'org'))}/chunk-upload/`,
    chunkSize: limits.chunkBytes,
    chunksPerRequest: CHUNKS_PER_REQUEST,
    maxFileSize: limits.maxBundleBytes,
    maxRequestSize: limits.maxRequestBytes,
    concurrency: 2,
    hashAlgorithm: 'sha1',
    compression: ['gzip'],
    // sentry-cli 2.x (inside the bundler plugins) uploads in chunks only when `release_files` is accepted, and then
    // sends artifact bundles since those are accepted too.
    accept: ['release_files', 'artifact_bundles', 'sources'],
  }))

  app.post(
    `${PREFIX}organizations/:org/chunk-upload/`,
    async (event) => {
      await assembler.putChunks(await readChunks(event, limits))
      return {}
    },
    // The advertised request size counts the chunks; gzip and the multipart framing add a little.
    routeMeta({ bodyLimit: limits.maxRequestBytes + 1024 * 1024 }),
  )

  app.post(`${PREFIX}organizations/:org/artifactbundle/assemble/`, async (event) => {
    const request = parseInput(assembleSchema, await readJson(event), 'assemble request')
    const projects = await Promise.all(request.projects.map(projectOf))
    return assembler.assemble({
      checksum: request.checksum,
      chunks: request.chunks,
      projects: [...new Set(projects.map((project) => project.name))],
      release: request.version,
    })
  })

  // Release calls the tools make before and after uploading (`releases new`, `finalize`, `set-commits`).
  const releaseMeta = routeMeta({ bodyLimit: RELEASE_BODY_BYTES })
  app.post(
    `${PREFIX}organizations/:org/releases/`,
    async (event) => {
      const body = await readValidatedJson(event, newReleaseSchema)
      event.res.status = 201
      return release(body.version, body.projects ?? [], body.dateReleased)
    },
    releaseMeta,
  )
  app.post(
    `${PREFIX}projects/:org/:project/releases/`,
    async (event) => {
      const body = await readValidatedJson(event, newReleaseSchema)
      event.res.status = 201
      return release(body.version, [param(event, 'project')], body.dateReleased)
    },
    releaseMeta,
  )
  app.put(
    `${PREFIX}organizations/:org/releases/:version/`,
    async (event) => {
      const body = parseInput(releaseUpdateSchema, await readOptionalJson(event), 'release')
      return release(param(event, 'version'), body.projects ?? [], body.dateReleased)
    },
    releaseMeta,
  )
  app.put(
    `${PREFIX}projects/:org/:project/releases/:version/`,
    async (event) => {
      const body = parseInput(releaseUpdateSchema, await readOptionalJson(event), 'release')
      return release(param(event, 'version'), [param(event, 'project')], body.dateReleased)
    },
    releaseMeta,
  )
  // Files uploaded the legacy way (one release file each) are not kept here; maps are in artifact bundles.
  app.get(`${PREFIX}projects/:org/:project/releases/:version/files/`, async (event) => {
    await projectOf(param(event, 'project'))
    return []
  })
  // No repositories are linked here, so commits are not associated (the tools carry on without them).
  app.get(`${PREFIX}organizations/:org/repos/`, () => [])
  app.get(`${PREFIX}organizations/:org/releases/:version/previous-with-commits/`, () => ({}))

  // Under the API's own prefixes only: `/api/0/envelope/` is a (refused) DSN with project id 0, not API.
  for (const scope of ['organizations', 'projects']) {
    app.all(`${PREFIX}${scope}/**`, (event) => {
      throw new MonlightError(
        'NOT_FOUND',
        `${event.req.method} ${event.url.pathname} is not part of the Sentry API Monlight serves: it serves source-map uploads (chunk-upload, artifactbundle/assemble, releases)`,
      )
    })
  }
}

/**
 * The chunks of a chunk-upload request: multipart parts `file` or `file_gzip`, each named (filename) by the
 * SHA-1 of its uncompressed content.
 */
async function readChunks(
  event: H3Event,
  limits: SentryApiLimits,
): Promise<{ checksum: string; content: Buffer }[]> {
  const contentType = event.req.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data/i.test(contentType)) {
    throw new MonlightError('BAD_REQUEST', 'Send chunks as multipart/form-data parts named file or file_gzip')
  }
  // The route's limit: the advertised request size plus room for gzip and the multipart framing.
  const body = await readBytes(event)
  let form: FormData
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData()
  } catch {
    throw new MonlightError(
      'BAD_REQUEST',
      'Invalid multipart body: send chunks as parts named file or file_gzip',
    )
  }
  const parts = [...form].filter(
    (entry): entry is [string, Exclude<(typeof entry)[1], string>] =>
      typeof entry[1] !== 'string' && (entry[0] === 'file' || entry[0] === 'file_gzip'),
  )
  if (parts.length > CHUNKS_PER_REQUEST) {
    throw new MonlightError(
      'BAD_REQUEST',
      `At most ${CHUNKS_PER_REQUEST} chunks per request, got ${parts.length}`,
    )
  }
  const chunks: { checksum: string; content: Buffer }[] = []
  let inflated = 0
  for (const [name, part] of parts) {
    const raw = Buffer.from(await part.arrayBuffer())
    let content = raw
    if (name === 'file_gzip') {
      try {
        content = gunzipSync(raw, { maxOutputLength: limits.chunkBytes })
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new MonlightError(
            'PAYLOAD_TOO_LARGE',
            `chunk ${part.name.slice(0, 64)} inflates past the chunk size of ${limits.chunkBytes} bytes`,
          )
        }
        throw new MonlightError(
          'BAD_REQUEST',
          `chunk ${part.name.slice(0, 64)} is not gzip data of at most ${limits.chunkBytes} bytes`,
        )
      }
    }
    inflated += content.length
    if (inflated > limits.maxRequestBytes) {
      throw new MonlightError(
        'PAYLOAD_TOO_LARGE',
        `The chunks of one request inflate past ${limits.maxRequestBytes} bytes: send fewer per request`,
      )
    }
    chunks.push({ checksum: part.name, content })
  }
  if (chunks.length === 0)
    throw new MonlightError('BAD_REQUEST', 'No chunks: send parts named file or file_gzip')
  return chunks
}

/** A JSON body that may be empty (a `PUT` without changes): empty is `{}`. */
async function readOptionalJson(event: H3Event): Promise<unknown> {
  const text = await readText(event)
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new MonlightError('INVALID_JSON', 'Invalid JSON')
  }
}

/** A path parameter, percent-decoded (a release such as `app@1.2.3+build` arrives encoded). */
function param(event: H3Event, name: string): string {
  const raw = event.context.params?.[name] ?? ''
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new MonlightError('BAD_REQUEST', `Invalid percent-encoding in the ${name} of the path`)
  }
}
