import { deleteInBatches, MonlightError } from '@monlight/core'
import type { CursorState, LogsStore, NewEntry } from '../store/store.js'
import type { TailHub } from '../tail/hub.js'
import { type LogView, parseTime, toNewEntry, toView } from './entries.js'
import { type Level, parseLevelFilter } from './levels.js'
import { type FieldFilter, parseLogSearch } from './search-syntax.js'

/** `GET /api/logs` parameters, URL-decoded strings as they arrive. */
export interface LogQuery {
  container?: string
  level?: string
  search?: string
  q?: string
  since?: string
  until?: string
  limit?: string | number
  offset?: string | number
}

export interface LogsServiceOptions {
  store: LogsStore
  hub: TailHub
  now: () => number
  onError: (message: string, error: unknown) => void
}

export type LogsService = ReturnType<typeof createLogsService>

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 500

/** The rules of the logs module: validation, level and search parsing, fan-out to the live tail. */
export function createLogsService({ store, hub, now, onError }: LogsServiceOptions) {
  const publish = (entries: NewEntry[], ids: number[]) => {
    if (ids.length === 0 || !hub.listening) return
    const views = entries.map((entry, i) => toView({ ...entry, id: ids[i]! }))
    // Never holds up the writer; the tail is at-most-once by design.
    hub.publish(views).catch((error) => onError('live tail publish failed', error))
  }

  /** Stores already-normalised entries (and Docker cursors) in one transaction, then tells the live tail. */
  const store_ = async (entries: NewEntry[], cursors: CursorState[] = []) => {
    const ids = await store.insert(entries, cursors, now())
    publish(entries, ids)
    return ids
  }

  return {
    /**
     * Stores a batch of entries (the in-process twin of `POST /api/logs`): each `{ message, container?,
     * timestamp?, stream?, level?, attributes? }`. Throws a MonlightError (400) naming a bad entry.
     */
    async write(entries: readonly unknown[]): Promise<{ count: number; ids: number[] }> {
      const at = now()
      const rows = entries.map((entry, index) => toNewEntry(entry, index, at))
      const ids = rows.length > 0 ? await store_(rows) : []
      return { count: rows.length, ids }
    },

    /** For the Docker tailer: entries plus the cursors they advance, atomically. */
    ingest: store_,

    async query(params: LogQuery) {
      const limit = readInt(params.limit, 'limit', DEFAULT_LIMIT)
      const offset = readInt(params.offset, 'offset', 0)
      const effectiveLimit = limit === 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT)
      const text = params.search ?? params.q
      const search = text?.trim() ? parseLogSearch(text) : undefined
      const narrowed = narrow(
        {
          container: params.container || undefined,
          levels: params.level ? readLevels(params.level) : undefined,
        },
        search?.fields ?? [],
      )
      if (!narrowed) return { logs: [], total: 0, limit: effectiveLimit, offset }
      const page = await store.query({
        ...narrowed,
        search: search?.text,
        since: params.since ? readTime(params.since, 'since') : undefined,
        until: params.until ? readTime(params.until, 'until') : undefined,
        limit: effectiveLimit,
        offset,
      })
      return {
        logs: page.entries.map(toView),
        total: page.total,
        limit: effectiveLimit,
        offset,
        ...(page.totalCapped ? { total_capped: true } : {}),
      }
    },

    async containers() {
      return { containers: await store.containers() }
    },

    async stats() {
      const stats = await store.stats()
      return {
        total_logs: stats.total,
        oldest_log: iso(stats.oldest),
        newest_log: iso(stats.newest),
        by_level: stats.byLevel,
        by_container: stats.byContainer,
      }
    },

    async health() {
      const { count, newest } = await store.health()
      return { logs_indexed: count, last_ingest: iso(newest) }
    },

    /** Parses a tail's filters with the same rules as the query API. */
    tailFilter(params: { container?: string; level?: string }): { container?: string; levels?: Level[] } {
      return {
        container: params.container || undefined,
        levels: params.level ? readLevels(params.level) : undefined,
      }
    },

    /** Retention: ring buffer, then the age limit; each deletes in batches until done. */
    async applyRetention(maxEntries: number, maxAgeDays: number | undefined, signal?: AbortSignal) {
      const batch = 10_000
      let deleted = await deleteInBatches(() => store.trimToMax(maxEntries, batch), batch, signal)
      if (maxAgeDays !== undefined) {
        const before = now() - maxAgeDays * 86_400_000
        deleted += await deleteInBatches(() => store.deleteOlderThan(before, batch), batch, signal)
      }
      if (!signal?.aborted) await store.tidyIndexes()
      return deleted
    },

    toView,
  }
}

/**
 * The query's container and levels narrowed by the search's `service:`/`container:`/`level:` filters, so the
 * store's indexes see them; the attribute and negated filters are left for the store. Undefined when nothing
 * can match (two different containers).
 */
function narrow(
  filter: { container?: string; levels?: Level[] },
  fields: FieldFilter[],
): { container?: string; levels?: Level[]; fields: FieldFilter[] } | undefined {
  let { container, levels } = filter
  const rest: FieldFilter[] = []
  for (const field of fields) {
    if (field.field === 'attr' || field.negate) {
      if (field.field === 'level') readLevels(field.value)
      rest.push(field)
    } else if (field.field === 'container') {
      if (container !== undefined && container !== field.value) return undefined
      container = field.value
    } else {
      const wanted = readLevels(field.value)
      levels = levels ? levels.filter((level) => wanted.includes(level)) : wanted
      if (levels.length === 0) return undefined
    }
  }
  return { container, levels, fields: rest }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

function readInt(value: string | number | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = typeof value === 'number' ? value : /^\d{1,9}$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isInteger(n) || n < 0) {
    throw new MonlightError('VALIDATION_FAILED', `Invalid query: ${name} must be a non-negative integer`)
  }
  return n
}

function readLevels(value: string): Level[] {
  const levels = parseLevelFilter(value)
  if (!levels) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Invalid query: level '${value.slice(0, 40)}' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL (optionally prefixed with >=)`,
    )
  }
  return levels
}

function readTime(value: string, name: string): number {
  const ms = parseTime(value)
  if (ms === undefined) {
    throw new MonlightError(
      'VALIDATION_FAILED',
      `Invalid query: ${name} must be an ISO 8601 time (e.g. 2025-01-20T10:00:00Z) or epoch milliseconds`,
    )
  }
  return ms
}

export type { LogView }
