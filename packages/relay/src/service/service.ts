import { randomBytes } from 'node:crypto'
import {
  type ErrorReport,
  type ExceptionInfo,
  type Logger,
  type MetricPoint,
  MonlightError,
} from '@monlight/core'
import type { DsnKeyRow, RelayStore, SourceMapSummary } from '../store/store.js'
import type { ForwardedError, Forwarder } from './forward.js'
import { deobfuscate, mapExceptionFrames, type SourceMapCache } from './source-maps.js'
import { pagePath } from './stack.js'
import {
  checkLength,
  debugIdOf,
  invalid,
  isSourceMap,
  optionalString,
  parseBrowserMetrics,
  requireObject,
  requireString,
} from './validate.js'

const DAY_MS = 86_400_000
/** How long a key change made by another instance (same database) may take to apply here. */
const CACHE_TTL_MS = 5_000
const MAX_CACHED_KEYS = 1_000
export const MAX_ORIGINS = 32
/** What `PATCH /api/dsn-keys/:id` may change. */
const KEY_FIELDS = ['allowed_origins', 'rate_limit', 'active']

/** A DSN key as the API shows it: upstream's fields plus the key's own origins and rate limit. */
export interface DsnKey {
  id: number
  public_key: string
  project: string
  /** The project's number: the last part of the key's Sentry DSN. */
  project_id: number
  active: boolean
  created_at: string
  allowed_origins: string[]
  rate_limit: number | null
}

export interface KeySettings {
  allowed_origins?: string[]
  rate_limit?: number | null
}

export type RelayService = ReturnType<typeof createRelayService>

export interface RelayServiceDeps {
  store: RelayStore
  forwarder: Forwarder
  cache: SourceMapCache
  corsOrigins: readonly string[]
  maxMapBytes: number
  retentionDays: number
  logger: Logger
  now: () => number
}

/** Upstream's timestamp format: `YYYY-MM-DDTHH:MM:SSZ`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

/** The relay's rules: DSN keys, mapping browser events onto the errors and metrics contracts, source maps. */
export function createRelayService(deps: RelayServiceDeps) {
  const { store, forwarder, cache, logger } = deps
  let preflightOrigins: { until: number; origins: string[] } | undefined
  // Every browser request looks its key up; active keys are kept briefly (unknown ones are not, so random keys
  // cannot fill the cache).
  const activeKeys = new Map<string, { until: number; key: DsnKey }>()
  // Most events come from projects or releases without maps (server SDKs): knowing which have some spares a query
  // per event.
  let mapOwners: { until: number; owners: ReturnType<RelayStore['mapOwners']> } | undefined
  const ownersOfMaps = () => {
    const time = deps.now()
    if (!mapOwners || mapOwners.until < time)
      mapOwners = { until: time + CACHE_TTL_MS, owners: store.mapOwners() }
    return mapOwners.owners
  }
  const mapsChanged = () => {
    mapOwners = undefined
  }

  const toKey = (row: DsnKeyRow): DsnKey => ({
    id: row.id,
    public_key: row.public_key,
    project: row.project,
    project_id: row.project_id,
    active: row.active === 1,
    created_at: row.created_at,
    allowed_origins: parseOrigins(row.allowed_origins),
    rate_limit: row.rate_limit,
  })
  const keysChanged = () => {
    preflightOrigins = undefined
    activeKeys.clear()
  }

  return {
    async createKey(input: unknown): Promise<DsnKey> {
      const body = requireObject(input)
      const project = checkLength('project', requireString(body, 'project'), 100)
      const settings = parseSettings(body)
      const row = await store.createKey({
        public_key: randomBytes(16).toString('hex'),
        project,
        active: 1,
        created_at: isoSeconds(deps.now()),
        allowed_origins: JSON.stringify(settings.allowed_origins ?? []),
        rate_limit: settings.rate_limit ?? null,
      })
      keysChanged()
      return toKey(row)
    },

    async listKeys(): Promise<DsnKey[]> {
      return (await store.listKeys()).map(toKey)
    },

    /** Sets a key's allowed origins and rate limit, or reactivates it (`active: true`). */
    async updateKey(id: number, input: unknown): Promise<DsnKey> {
      const body = requireObject(input)
      const unknown = Object.keys(body).filter((field) => !KEY_FIELDS.includes(field))
      if (unknown.length > 0 || Object.keys(body).length === 0) {
        throw invalid(
          `${unknown.length > 0 ? `Unknown field '${unknown[0]!.slice(0, 64)}'` : 'Nothing to change'}: send ${KEY_FIELDS.join(', ')}`,
        )
      }
      const settings = parseSettings(body)
      if (body.active !== undefined && typeof body.active !== 'boolean')
        throw invalid("Field 'active' must be a boolean")
      const row = await store.updateKey(id, {
        ...(settings.allowed_origins && { allowed_origins: JSON.stringify(settings.allowed_origins) }),
        ...(settings.rate_limit !== undefined && { rate_limit: settings.rate_limit }),
        ...(typeof body.active === 'boolean' && { active: body.active ? 1 : 0 }),
      })
      if (!row) throw new MonlightError('NOT_FOUND', 'DSN key not found')
      keysChanged()
      return toKey(row)
    },

    async deactivateKey(id: number): Promise<void> {
      if (!(await store.updateKey(id, { active: 0 })))
        throw new MonlightError('NOT_FOUND', 'DSN key not found')
      keysChanged()
    },

    /** Upstream's DSN_KEYS seeding: an existing key keeps its project and state (a deactivated one stays so). */
    async seedKeys(keys: readonly { project: string; publicKey: string }[]): Promise<void> {
      for (const key of keys) {
        const created = await store.seedKey({
          public_key: key.publicKey,
          project: key.project,
          active: 1,
          created_at: isoSeconds(deps.now()),
          allowed_origins: '[]',
          rate_limit: null,
        })
        if (created) logger.info('seeded DSN key', { project: key.project })
      }
      keysChanged()
    },

    async authenticate(publicKey: string | undefined): Promise<DsnKey | undefined> {
      // NUL cannot be in a key, and PostgreSQL refuses it in a query.
      if (!publicKey || publicKey.length > 64 || publicKey.includes('\u0000')) return undefined
      const time = deps.now()
      const cached = activeKeys.get(publicKey)
      if (cached && cached.until >= time) return cached.key
      const row = await store.findActiveKey(publicKey)
      if (!row) {
        activeKeys.delete(publicKey)
        return undefined
      }
      const key = toKey(row)
      if (activeKeys.size >= MAX_CACHED_KEYS) activeKeys.delete(activeKeys.keys().next().value!)
      activeKeys.set(publicKey, { until: time + CACHE_TTL_MS, key })
      return key
    },

    /** Why a key that {@link authenticate} refused is refused: the 401 / 403 a client sees. */
    async refusal(publicKey: string | undefined): Promise<MonlightError> {
      if (!publicKey) {
        return new MonlightError(
          'UNAUTHORIZED',
          'No project key: send the DSN key as sentry_key (X-Sentry-Auth header or query) or in the envelope header dsn',
        )
      }
      const row =
        publicKey.length <= 64 && !publicKey.includes('\u0000') ? await store.findKey(publicKey) : undefined
      if (row && row.active !== 1) {
        return new MonlightError(
          'FORBIDDEN',
          `DSN key ${publicKey} is disabled: reactivate it or use an active key`,
        )
      }
      return new MonlightError(
        'UNAUTHORIZED',
        `Unknown DSN key ${publicKey.slice(0, 64)}: create one with \`monlight keys create <project>\` or in the relay UI`,
      )
    },

    /**
     * Sentry stack frames of the key's project, mapped through its uploaded source maps where they apply: by the
     * event's debug IDs (`debug_meta`, file URL → ID), else by release and file. Only projects with maps are
     * looked at, and events of server SDKs (no debug IDs, no URL frames) only when their release has maps.
     */
    async symbolicate(
      key: DsnKey,
      target: { release: string | undefined; debugIds: ReadonlyMap<string, string> },
      exceptions: ExceptionInfo[],
    ): Promise<ExceptionInfo[]> {
      const { release, debugIds } = target
      try {
        const owners = await ownersOfMaps()
        if (!owners.projects.has(key.project)) return exceptions
        const fromBrowser = exceptions.some((exception) =>
          exception.frames.some((frame) => /^https?:\/\//.test(frame.abs_path ?? frame.filename ?? '')),
        )
        const releaseHasMaps = release !== undefined && owners.releases.has(`${key.project}\u0000${release}`)
        if (debugIds.size === 0 && !fromBrowser && !releaseHasMaps) return exceptions
        return await mapExceptionFrames(
          exceptions,
          { project: key.project, release, debugIds },
          { store, cache },
        )
      } catch (error) {
        // Nothing is lost when a map is missing or wrong: the frames as the SDK sent them stay with the event.
        logger.warn('source mapping failed', { error })
        return exceptions
      }
    },

    /** A project by name or number (Sentry tools name projects by slug or id). */
    findProject(nameOrId: string): Promise<{ id: number; name: string } | undefined> {
      return store.findProject(nameOrId)
    },

    /** Maps were stored by another path (artifact bundles): forget which releases have maps. */
    sourceMapsChanged(): void {
      mapsChanged()
    },

    /** Global origins plus every active key's own: a preflight carries no key, so any of them may pass it. */
    async preflightOrigins(): Promise<string[]> {
      const time = deps.now()
      if (!preflightOrigins || preflightOrigins.until < time) {
        const perKey = (await store.activeOrigins()).flatMap(parseOrigins)
        preflightOrigins = {
          until: time + CACHE_TTL_MS,
          origins: [...new Set([...deps.corsOrigins, ...perKey])],
        }
      }
      return preflightOrigins.origins
    },

    /** §5.5: a browser error becomes an error-tracker report of the key's project, its stack deobfuscated. */
    async ingestError(key: DsnKey, input: unknown): Promise<ForwardedError> {
      const body = requireObject(input)
      const type = requireString(body, 'type')
      const message = requireString(body, 'message')
      const stack = requireString(body, 'stack')
      const url = optionalString(body, 'url')
      const release = optionalString(body, 'release')
      // The SDK's `environment` option: the error tracker stores it and filters by it, up to 100 bytes; checked
      // here so that a long one is the browser's 400, not a rejected event's 502.
      const environment = optionalString(body, 'environment')
      if (environment !== undefined && Buffer.byteLength(environment) > 100)
        throw invalid("Field 'environment' must be at most 100 bytes")
      // Our SDK sends the debug IDs `sentry-cli sourcemaps inject` left in the page, by file URL.
      const debugIds = parseDebugIds(body.debug_ids)
      let traceback = stack
      if ((release || debugIds.size > 0) && stack) {
        try {
          // Only projects with maps are looked at, as for Sentry events.
          if ((await ownersOfMaps()).projects.has(key.project)) {
            traceback = await deobfuscate(
              stack,
              { project: key.project, release: release || undefined, debugIds },
              { store, cache },
            )
          }
        } catch (error) {
          logger.warn('deobfuscation failed', { error })
        }
      }
      const extra: Record<string, unknown> = {}
      for (const field of ['user_agent', 'session_id', 'release', 'timestamp'] as const) {
        const value = optionalString(body, field)
        if (value !== undefined) extra[field] = value
      }
      const context = body.context
      if (typeof context === 'object' && context !== null && !Array.isArray(context)) extra.context = context
      // Nothing is lost when a map is missing or wrong: the stack as the browser saw it stays with the event.
      if (traceback !== stack) extra.minified_stack = stack
      const report: ErrorReport = {
        project: key.project,
        exception_type: type,
        message,
        traceback,
        request_method: 'BROWSER',
        ...(url !== undefined && { request_url: url }),
        ...(environment !== undefined && { environment }),
        extra,
      }
      return forwarder.error(report)
    },

    /** §5.7: browser metrics get the key's project and `source`, `session_id`, `page` labels (ours win). */
    async ingestMetrics(key: DsnKey, input: unknown): Promise<number> {
      const body = requireObject(input)
      const metrics = parseBrowserMetrics(body)
      const sessionId = optionalString(body, 'session_id')
      const url = optionalString(body, 'url')
      const relayLabels: Record<string, string> = { project: key.project, source: 'browser' }
      if (sessionId !== undefined) relayLabels.session_id = sessionId
      if (url !== undefined) relayLabels.page = pagePath(url)
      const points: MetricPoint[] = metrics.map((metric) => {
        const labels: Record<string, string | number> = { ...relayLabels }
        for (const [name, value] of Object.entries(metric.labels)) {
          if (name in relayLabels) continue
          if (typeof value === 'string' || typeof value === 'number') labels[name] = value
          else if (typeof value === 'boolean') labels[name] = String(value)
        }
        return {
          name: metric.name,
          type: metric.type,
          value: metric.value,
          labels,
          project: key.project,
          ...(metric.timestamp !== undefined && { timestamp: metric.timestamp }),
          ...(metric.count !== undefined && { count: metric.count }),
        }
      })
      await forwarder.metrics(points)
      return points.length
    },

    /** Stores a map for (project, release, file_url), replacing an earlier one. */
    async putSourceMap(input: unknown): Promise<{ project: string; release: string; file_url: string }> {
      const body = requireObject(input)
      const project = requireString(body, 'project')
      const release = requireString(body, 'release')
      const fileUrl = requireString(body, 'file_url')
      const content = requireString(body, 'map_content')
      checkLength('project', project, 100)
      checkLength('release', release, 100)
      checkLength('file_url', fileUrl, 500)
      const size = Buffer.byteLength(content)
      if (size > deps.maxMapBytes) {
        throw new MonlightError(
          'PAYLOAD_TOO_LARGE',
          `Source map exceeds maximum size of ${deps.maxMapBytes} bytes`,
        )
      }
      if (!isSourceMap(content)) throw invalid('Invalid source map format')
      await store.putSourceMaps([
        {
          project,
          release,
          file_url: fileUrl,
          debug_id: null,
          map_content: content,
          size,
          uploaded_at: isoSeconds(deps.now()),
        },
      ])
      mapsChanged()
      return { project, release, file_url: fileUrl }
    },

    listSourceMaps(project?: string): Promise<SourceMapSummary[]> {
      return store.listSourceMaps(project)
    },

    async deleteSourceMap(id: number): Promise<void> {
      if (!(await store.deleteSourceMap(id))) throw new MonlightError('NOT_FOUND', 'Source map not found')
      mapsChanged()
      cache.evict(id)
    },

    /** Deletes maps older than the retention period; returns how many. */
    async applyRetention(): Promise<number> {
      const ids = await store.deleteSourceMapsBefore(isoSeconds(deps.now() - deps.retentionDays * DAY_MS))
      if (ids.length > 0) mapsChanged()
      for (const id of ids) cache.evict(id)
      if (ids.length > 0) logger.info('deleted expired source maps', { count: ids.length })
      return ids.length
    },
  }
}

/** `debug_ids` of our browser SDK: `{ "<file URL>": "<debug ID>" }`, at most 100, others ignored. */
function parseDebugIds(value: unknown): Map<string, string> {
  const ids = new Map<string, string>()
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ids
  for (const [file, id] of Object.entries(value).slice(0, 100)) {
    const debugId = debugIdOf(id)
    if (debugId !== null && file.length <= 2048) ids.set(file, debugId)
  }
  return ids
}

function parseOrigins(json: string): string[] {
  try {
    const value = JSON.parse(json)
    return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []
  } catch {
    return []
  }
}

const ORIGIN_RULE = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i

/** An origin as a browser sends it (`https://app.example.com`), or a pattern with one `*` in its host. */
export function isOrigin(origin: string): boolean {
  return origin.length <= 256 && ORIGIN_RULE.test(origin) && origin.split('*').length <= 2
}

function parseSettings(body: Record<string, unknown>): KeySettings {
  const settings: KeySettings = {}
  if (body.allowed_origins !== undefined) {
    const origins = body.allowed_origins
    if (!Array.isArray(origins) || origins.length > MAX_ORIGINS) {
      throw invalid(`Field 'allowed_origins' must be an array of at most ${MAX_ORIGINS} origins`)
    }
    for (const origin of origins) {
      if (typeof origin !== 'string' || !isOrigin(origin)) {
        throw invalid(
          `Field 'allowed_origins' must hold origins like https://app.example.com or https://*.example.com, got ${JSON.stringify(origin).slice(0, 100)}`,
        )
      }
    }
    settings.allowed_origins = [...new Set(origins as string[])]
  }
  if (body.rate_limit !== undefined) {
    const limit = body.rate_limit
    if (
      limit !== null &&
      !(Number.isInteger(limit) && (limit as number) > 0 && (limit as number) <= 1_000_000)
    ) {
      throw invalid(
        "Field 'rate_limit' must be a whole number of requests per minute from 1 to 1000000, or null for the default",
      )
    }
    settings.rate_limit = limit as number | null
  }
  return settings
}
