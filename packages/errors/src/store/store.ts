import type { Database, Logger } from '@monlight/core'
import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import {
  ENVIRONMENT_TABLE,
  type ErrorsTables,
  GROUP_TABLE,
  type GroupTable,
  HOUR_TABLE,
  OCCURRENCE_TABLE,
  type OccurrenceTable,
  TAG_TABLE,
} from '../schema/tables.js'
import { createPlanRunner, type Param, type Plan, type PreparedQuery, prepare } from './prepared.js'

/** Occurrences kept per group by default (upstream kept five). */
export const DEFAULT_KEEP_EVENTS = 100
/** The occurrences `GET /api/errors/{id}` lists in full, as upstream. */
export const DETAIL_OCCURRENCES = 5
const HOUR_MS = 3_600_000
/** Event numbers are `integer` columns: a larger one is no kept event (and PostgreSQL would refuse it). */
const MAX_SEQ = 2 ** 31 - 1

/** A validated report, ready to store: JSON fields already serialized. */
export type StoredReport = Pick<
  GroupTable,
  'fingerprint' | 'project' | 'exception_type' | 'message' | 'traceback' | 'platform' | 'culprit'
> &
  Pick<
    OccurrenceTable,
    | 'request_url'
    | 'request_method'
    | 'request_headers'
    | 'user_id'
    | 'extra'
    | 'environment'
    | 'event_id'
    | 'release'
    | 'level'
    | 'event'
  > & {
    /** Facets counted on the group: release, environment, level, browser, os... and the event's tags. */
    tags: readonly (readonly [string, string])[]
    /** When it happened, epoch ms (the event's own time, else arrival). */
    timestamp: number
  }

export type IngestOutcome =
  | { status: 'created'; id: number; count: 1 }
  | { status: 'incremented' | 'reopened'; id: number; count: number; muted?: boolean }
  /** The same `event_id` is already stored (an SDK retry): nothing was counted. */
  | { status: 'duplicate'; id: number; count: number }

export type GroupStatus = 'unresolved' | 'resolved' | 'ignored'
export type GroupSort = 'last_seen' | 'first_seen' | 'count'

export interface ListFilter {
  project?: string
  /** Ignored groups are unresolved too; `status` tells them apart (default: every group with `resolved`). */
  resolved: boolean
  status?: GroupStatus
  release?: string
  /** `key:value` facets a group must all have (`browser:Chrome`, `release:1.2.0`). */
  tags?: readonly (readonly [string, string])[]
  sort?: GroupSort
  /** For the ignore state: a group muted until a past time is no longer ignored. */
  now?: number
  source?: 'browser' | 'server'
  sessionId?: string
  /** Epoch ms: groups last seen at or after. */
  since?: number
  /** Case-insensitive substring of the message or exception type. */
  search?: string
  environment?: string
  limit: number
  offset: number
}

export type GroupRow = GroupTable
export type OccurrenceRow = OccurrenceTable
export type EventSummaryRow = Pick<
  OccurrenceTable,
  'seq' | 'timestamp' | 'event_id' | 'release' | 'environment' | 'level' | 'request_url' | 'user_id'
>

export type ErrorsStore = ReturnType<typeof createErrorsStore>

/** The only place with SQL. One implementation for SQLite, PGlite and PostgreSQL; dialect branches inline. */
export function createErrorsStore(
  database: Database,
  options: { keepEvents?: number; logger?: Logger } = {},
) {
  const keep = options.keepEvents ?? DEFAULT_KEEP_EVENTS
  // A host's plugins (camelCase and the like) must not rewrite our queries.
  const db = database.db.withoutPlugins() as Kysely<ErrorsTables>
  const postgres = database.dialect === 'postgres'
  const plans = createPlanRunner({ ...database, db }, options.logger)
  const q = prepareIngestQueries(db)
  const countTags = prepareTagCounter(db)
  // A group's newest `keep` events. Older rows linger only once `keepEvents` was lowered: the ring no longer
  // reaches their slots. Reads skip them, retention deletes them.
  const isKept = sql<boolean>`${sql.ref(`${OCCURRENCE_TABLE}.seq`)} > ${sql.ref(`${GROUP_TABLE}.count`)} - ${sql.lit(keep)}`

  function* ingestPlan(report: StoredReport, now: number): Plan<IngestOutcome> {
    const { tags, ...fields } = report
    const values = {
      ...fields,
      now,
      hour: Math.floor(report.timestamp / HOUR_MS),
      browser: report.request_method === 'BROWSER' ? 1 : 0,
    }
    // PostgreSQL runs concurrent transactions: serialize reports of one fingerprint so they make one group.
    if (postgres) yield { query: q.lockFingerprint, values }
    if (report.event_id !== null) {
      // SDKs resend an event they are not sure arrived; the recent ones are in the ring.
      const [seen] = yield { query: q.findEvent, values }
      if (seen !== undefined) return { status: 'duplicate', id: Number(seen.id), count: Number(seen.count) }
    }
    // The common case, a repeat of an open group, is one statement.
    const [incremented] = yield { query: q.incrementOpenGroup, values }
    let outcome: IngestOutcome
    if (incremented !== undefined) {
      outcome = {
        status: 'incremented',
        id: Number(incremented.id),
        count: Number(incremented.count),
        muted: isMuted(incremented, now),
      }
    } else {
      const [resolved] = yield { query: q.findLatestResolved, values }
      if (resolved !== undefined && !isLaterRelease(report.release, resolved.resolved_in_release)) {
        // Resolved in a later release than this report's: an old deploy still running, not a regression.
        const [counted] = yield { query: q.countResolvedGroup, values: { ...values, id: resolved.id } }
        outcome = {
          status: 'incremented',
          id: Number(resolved.id),
          count: Number(counted.count),
          muted: true,
        }
      } else if (resolved !== undefined) {
        const [reopened] = yield { query: q.reopenGroup, values: { ...values, id: resolved.id } }
        outcome = { status: 'reopened', id: Number(resolved.id), count: Number(reopened.count) }
      } else {
        const [created] = yield { query: q.insertGroup, values }
        outcome = { status: 'created', id: Number(created.id), count: 1 }
      }
    }
    const slot = (outcome.count - 1) % keep
    const withId = { ...values, id: outcome.id, seq: outcome.count, slot }
    // The ring's slot exists once the group has had `keep` reports: overwrite it (cheaper than an upsert).
    const [replaced] =
      outcome.count > keep ? yield { query: q.replaceOccurrence, values: withId } : [undefined]
    if (replaced === undefined) yield { query: q.putOccurrence, values: withId }
    if (report.environment !== null) yield { query: q.addEnvironment, values: withId }
    yield { query: q.countHour, values: withId }
    if (tags.length > 0) {
      const tagValues: Record<string, unknown> = { id: outcome.id, now }
      for (const [i, [key, value]] of tags.entries()) {
        tagValues[`key${i}`] = key
        tagValues[`value${i}`] = value
      }
      yield { query: countTags(tags.length), values: tagValues }
    }
    return outcome
  }

  const byFilter = (eb: ExpressionBuilder<ErrorsTables, typeof GROUP_TABLE>, filter: ListFilter) => {
    const where = [eb('resolved', '=', filter.resolved || filter.status === 'resolved' ? 1 : 0)]
    if (filter.status === 'ignored' || filter.status === 'unresolved') {
      const now = filter.now ?? Date.now()
      // Ignored: muted, and neither its time nor its count has run out.
      const ignored = eb.and([
        eb('muted', '=', 1),
        eb.or([eb('muted_until', 'is', null), eb('muted_until', '>', now)]),
        eb.or([eb('muted_until_count', 'is', null), eb('count', '<', eb.ref('muted_until_count'))]),
      ])
      where.push(filter.status === 'ignored' ? ignored : eb.not(ignored))
    }
    if (filter.project) where.push(eb('project', '=', filter.project))
    if (filter.source) where.push(eb('browser', '=', filter.source === 'browser' ? 1 : 0))
    if (filter.since !== undefined) where.push(eb('last_seen', '>=', filter.since))
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`
      const like = postgres ? sql`ilike` : sql`like`
      where.push(
        eb.or([
          sql<boolean>`${sql.ref('message')} ${like} ${pattern} escape '\\'`,
          sql<boolean>`${sql.ref('exception_type')} ${like} ${pattern} escape '\\'`,
        ]),
      )
    }
    if (filter.environment) {
      where.push(
        eb.exists(
          eb
            .selectFrom(ENVIRONMENT_TABLE)
            .select(sql.lit(1).as('one'))
            .whereRef(`${ENVIRONMENT_TABLE}.group_id`, '=', `${GROUP_TABLE}.id`)
            .where(`${ENVIRONMENT_TABLE}.environment`, '=', filter.environment),
        ),
      )
    }
    const tags = [...(filter.tags ?? []), ...(filter.release ? [['release', filter.release] as const] : [])]
    for (const [key, value] of tags) {
      where.push(
        eb.exists(
          eb
            .selectFrom(TAG_TABLE)
            .select(sql.lit(1).as('one'))
            .whereRef(`${TAG_TABLE}.group_id`, '=', `${GROUP_TABLE}.id`)
            .where(`${TAG_TABLE}.key`, '=', key)
            .where(`${TAG_TABLE}.value`, '=', value),
        ),
      )
    }
    if (filter.sessionId) {
      const sessionOf = postgres
        ? sql`(${sql.ref(`${OCCURRENCE_TABLE}.extra`)}::jsonb ->> 'session_id')`
        : sql`json_extract(${sql.ref(`${OCCURRENCE_TABLE}.extra`)}, '$.session_id')`
      where.push(
        eb.exists(
          eb
            .selectFrom(OCCURRENCE_TABLE)
            .select(sql.lit(1).as('one'))
            .whereRef(`${OCCURRENCE_TABLE}.group_id`, '=', `${GROUP_TABLE}.id`)
            .where(sql`${sessionOf}`, '=', filter.sessionId),
        ),
      )
    }
    return eb.and(where)
  }

  return {
    /** Groups the report with an open group, else reopens the latest resolved one, else creates one. */
    ingest: (report: StoredReport, now: number): Promise<IngestOutcome> =>
      plans.run(() => ingestPlan(report, now)),

    async list(filter: ListFilter): Promise<{ rows: GroupRow[]; total: number }> {
      const [rows, counted] = await Promise.all([
        db
          .selectFrom(GROUP_TABLE)
          .selectAll()
          .where((eb) => byFilter(eb, filter))
          .orderBy(filter.sort ?? 'last_seen', 'desc')
          .orderBy('id', 'desc')
          .limit(filter.limit)
          .offset(filter.offset)
          .execute(),
        db
          .selectFrom(GROUP_TABLE)
          .select((eb) => eb.fn.countAll().as('total'))
          .where((eb) => byFilter(eb, filter))
          .executeTakeFirstOrThrow(),
      ])
      return { rows: rows.map(normalizeGroup), total: Number(counted.total) }
    },

    async get(id: number): Promise<{ group: GroupRow; occurrences: OccurrenceRow[] } | undefined> {
      const group = await db.selectFrom(GROUP_TABLE).selectAll().where('id', '=', id).executeTakeFirst()
      if (!group) return undefined
      const occurrences = await db
        .selectFrom(OCCURRENCE_TABLE)
        .selectAll()
        .where('group_id', '=', id)
        .where('seq', '>', Number(group.count) - keep)
        .orderBy('seq', 'desc')
        .limit(DETAIL_OCCURRENCES)
        .execute()
      return { group: normalizeGroup(group), occurrences: occurrences.map(normalizeOccurrence) }
    },

    /** The kept events of a group, newest first, without their bodies; `before`: a seq to page from. */
    async events(id: number, limit: number, before?: number): Promise<EventSummaryRow[]> {
      let query = db
        .selectFrom(OCCURRENCE_TABLE)
        .innerJoin(GROUP_TABLE, `${GROUP_TABLE}.id`, `${OCCURRENCE_TABLE}.group_id`)
        .select(
          (
            [
              'seq',
              'timestamp',
              'event_id',
              'release',
              'environment',
              'level',
              'request_url',
              'user_id',
            ] as const
          ).map((column) => `${OCCURRENCE_TABLE}.${column}` as const),
        )
        .where(`${OCCURRENCE_TABLE}.group_id`, '=', id)
        .where(isKept)
      if (before !== undefined && before <= MAX_SEQ)
        query = query.where(`${OCCURRENCE_TABLE}.seq`, '<', before)
      const rows = await query.orderBy(`${OCCURRENCE_TABLE}.seq`, 'desc').limit(limit).execute()
      return rows.map((row) => ({ ...row, seq: Number(row.seq), timestamp: Number(row.timestamp) }))
    },

    /** One kept event with its group's type and message and its neighbours' numbers (for previous / next). */
    async event(
      id: number,
      seq: number,
    ): Promise<
      | {
          row: OccurrenceRow
          group: Pick<GroupRow, 'exception_type' | 'message'>
          previous: number | null
          next: number | null
        }
      | undefined
    > {
      if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) return undefined
      const found = await db
        .selectFrom(OCCURRENCE_TABLE)
        .innerJoin(GROUP_TABLE, `${GROUP_TABLE}.id`, `${OCCURRENCE_TABLE}.group_id`)
        .selectAll(OCCURRENCE_TABLE)
        .select([
          `${GROUP_TABLE}.exception_type as group_exception_type`,
          `${GROUP_TABLE}.message as group_message`,
          `${GROUP_TABLE}.count as group_count`,
        ])
        .where(`${OCCURRENCE_TABLE}.group_id`, '=', id)
        .where(`${OCCURRENCE_TABLE}.seq`, '=', seq)
        .where(isKept)
        .executeTakeFirst()
      if (!found) return undefined
      const { group_exception_type, group_message, group_count, ...row } = found
      const neighbour = (op: '<' | '>') =>
        db
          .selectFrom(OCCURRENCE_TABLE)
          .select('seq')
          .where('group_id', '=', id)
          .where('seq', op, seq)
          .where('seq', '>', Number(group_count) - keep)
          .orderBy('seq', op === '<' ? 'desc' : 'asc')
          .limit(1)
          .executeTakeFirst()
      const [previous, next] = await Promise.all([neighbour('<'), neighbour('>')])
      return {
        row: normalizeOccurrence(row),
        group: { exception_type: group_exception_type, message: group_message },
        previous: previous ? Number(previous.seq) : null,
        next: next ? Number(next.seq) : null,
      }
    },

    /** Tag facets of a group: per key, its values by count (at most `perKey` each). */
    async tags(id: number, perKey = 10): Promise<{ key: string; value: string; count: number }[]> {
      const rows = await db
        .selectFrom(TAG_TABLE)
        .select(['key', 'value', 'count'])
        .where('group_id', '=', id)
        .orderBy('key')
        .orderBy('count', 'desc')
        // Ties in the same order on every dialect (and every page load).
        .orderBy('value')
        .limit(2_000)
        .execute()
      const perKeySeen = new Map<string, number>()
      return rows
        .filter((row) => {
          const seen = perKeySeen.get(row.key) ?? 0
          perKeySeen.set(row.key, seen + 1)
          return seen < perKey
        })
        .map((row) => ({ ...row, count: Number(row.count) }))
    },

    /** Reports per hour of the given groups since `fromHour` (an hour number: epoch ms / 3 600 000). */
    async hours(
      ids: readonly number[],
      fromHour: number,
    ): Promise<{ group_id: number; hour: number; count: number }[]> {
      if (ids.length === 0) return []
      const rows = await db
        .selectFrom(HOUR_TABLE)
        .select(['group_id', 'hour', 'count'])
        .where('group_id', 'in', ids)
        .where('hour', '>=', fromHour)
        .execute()
      return rows.map((row) => ({
        group_id: Number(row.group_id),
        hour: Number(row.hour),
        count: Number(row.count),
      }))
    },

    /** Values seen for a facet across groups (the list's release select), most used first. */
    async facetValues(key: string, project?: string): Promise<string[]> {
      let query = db.selectFrom(TAG_TABLE).select('value').where('key', '=', key)
      if (project)
        query = query.where(
          'group_id',
          'in',
          db.selectFrom(GROUP_TABLE).select('id').where('project', '=', project),
        )
      const rows = await query.groupBy('value').orderBy(sql`max(last_seen)`, 'desc').limit(200).execute()
      return rows.map((row) => row.value)
    },

    /** Environments reported from, of one project or of all. */
    async environments(project?: string): Promise<string[]> {
      let query = db.selectFrom(ENVIRONMENT_TABLE).select('environment')
      if (project)
        query = query.where(
          'group_id',
          'in',
          db.selectFrom(GROUP_TABLE).select('id').where('project', '=', project),
        )
      const rows = await query.distinct().orderBy('environment').limit(200).execute()
      return rows.map((row) => row.environment)
    },

    /** Ignores groups until a time, until a count, or (both null) until un-ignored. Returns the ids changed. */
    async mute(
      ids: readonly number[],
      until: { time: number | null; count: number | null } | null,
    ): Promise<number[]> {
      if (ids.length === 0) return []
      const rows = await db
        .updateTable(GROUP_TABLE)
        .set(
          until
            ? (eb) => ({
                muted: 1,
                muted_until: until.time,
                muted_until_count: until.count === null ? null : eb('count', '+', until.count),
              })
            : { muted: 0, muted_until: null, muted_until_count: null },
        )
        .where('id', 'in', ids)
        .returning('id')
        .execute()
      return rows.map((row) => Number(row.id))
    },

    /**
     * Marks a group resolved (idempotent: an already resolved group keeps its `resolved_at`); `inRelease`: only
     * reports of a later release reopen it.
     */
    async resolve(id: number, now: number, inRelease: string | null = null): Promise<boolean> {
      const result = await db
        .updateTable(GROUP_TABLE)
        .set({ resolved: 1, resolved_at: now, resolved_in_release: inRelease, muted: 0 })
        .where('id', '=', id)
        .where('resolved', '=', 0)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n || (await exists(id))
    },

    async unresolve(id: number): Promise<boolean> {
      const result = await db
        .updateTable(GROUP_TABLE)
        .set({ resolved: 0, resolved_at: null, resolved_in_release: null })
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async projects(): Promise<string[]> {
      const rows = await db.selectFrom(GROUP_TABLE).select('project').distinct().orderBy('project').execute()
      return rows.map((row) => row.project)
    },

    /** Deletes the rows of events no longer kept (after `keepEvents` was lowered); returns how many. */
    async deleteUnkeptEvents(): Promise<number> {
      const groupCount = sql`(select ${sql.ref('count')} from ${sql.table(GROUP_TABLE)} where ${sql.ref(`${GROUP_TABLE}.id`)} = ${sql.ref(`${OCCURRENCE_TABLE}.group_id`)})`
      const result = await db
        .deleteFrom(OCCURRENCE_TABLE)
        .where(sql<boolean>`${sql.ref('seq')} <= ${groupCount} - ${sql.lit(keep)}`)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },

    /** Deletes groups resolved before `cutoff` (epoch ms) with their occurrences; returns how many groups. */
    async deleteResolvedBefore(cutoff: number): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const expired = trx
          .selectFrom(GROUP_TABLE)
          .select('id')
          .where('resolved', '=', 1)
          .where('resolved_at', 'is not', null)
          .where('resolved_at', '<', cutoff)
        // Explicit deletes rather than ON DELETE CASCADE: a host's SQLite may run with foreign keys off.
        await trx.deleteFrom(OCCURRENCE_TABLE).where('group_id', 'in', expired).execute()
        await trx.deleteFrom(ENVIRONMENT_TABLE).where('group_id', 'in', expired).execute()
        await trx.deleteFrom(TAG_TABLE).where('group_id', 'in', expired).execute()
        await trx.deleteFrom(HOUR_TABLE).where('group_id', 'in', expired).execute()
        const result = await trx.deleteFrom(GROUP_TABLE).where('id', 'in', expired).executeTakeFirst()
        return Number(result.numDeletedRows)
      })
    },
  }

  async function exists(id: number): Promise<boolean> {
    return (
      (await db.selectFrom(GROUP_TABLE).select('id').where('id', '=', id).executeTakeFirst()) !== undefined
    )
  }
}

function prepareIngestQueries(db: Kysely<ErrorsTables>) {
  return {
    lockFingerprint: prepare(
      db,
      (_db, p) => sql`select pg_advisory_xact_lock(hashtext(${p('fingerprint')}))`,
    ),
    findEvent: prepare(db, (db, p) =>
      db
        .selectFrom(OCCURRENCE_TABLE)
        .innerJoin(GROUP_TABLE, `${GROUP_TABLE}.id`, `${OCCURRENCE_TABLE}.group_id`)
        .select([`${GROUP_TABLE}.id`, `${GROUP_TABLE}.count`])
        .where(`${OCCURRENCE_TABLE}.event_id`, '=', p('event_id'))
        .limit(1),
    ),
    // Only the columns that change: SQLite rewrites the index entries of every column in SET.
    incrementOpenGroup: prepare(db, (db, p) =>
      db
        .updateTable(GROUP_TABLE)
        .set((eb) => ({
          count: eb('count', '+', 1),
          last_seen: p('now'),
          browser: eb('browser', '|', p('browser')),
          last_release: eb.fn.coalesce(eb.val(p('release')), eb.ref('last_release')),
        }))
        .where(
          'id',
          '=',
          db
            .selectFrom(GROUP_TABLE)
            .select('id')
            .where('fingerprint', '=', p('fingerprint'))
            .where('resolved', '=', 0)
            .orderBy('id')
            .limit(1),
        )
        .returning(['id', 'count', 'muted', 'muted_until', 'muted_until_count']),
    ),
    findLatestResolved: prepare(db, (db, p) =>
      db
        .selectFrom(GROUP_TABLE)
        .select(['id', 'resolved_in_release'])
        .where('fingerprint', '=', p('fingerprint'))
        .where('resolved', '=', 1)
        .orderBy('last_seen', 'desc')
        .orderBy('id', 'desc')
        .limit(1),
    ),
    insertGroup: prepare(db, (db, p) =>
      db
        .insertInto(GROUP_TABLE)
        .values({
          fingerprint: p('fingerprint'),
          project: p('project'),
          exception_type: p('exception_type'),
          message: p('message'),
          traceback: p('traceback'),
          count: 1,
          first_seen: p('now'),
          last_seen: p('now'),
          resolved: 0,
          browser: p('browser'),
          level: p('level'),
          platform: p('platform'),
          culprit: p('culprit'),
          first_release: p('release'),
          last_release: p('release'),
        })
        .returning('id'),
    ),
    countResolvedGroup: prepare(db, (db, p) =>
      db
        .updateTable(GROUP_TABLE)
        .set((eb) => ({ count: eb('count', '+', 1), last_seen: p('now') }))
        .where('id', '=', p('id'))
        .returning('count'),
    ),
    reopenGroup: prepare(db, (db, p) =>
      db
        .updateTable(GROUP_TABLE)
        .set((eb) => ({
          count: eb('count', '+', 1),
          last_seen: p('now'),
          resolved: 0,
          resolved_at: null,
          resolved_in_release: null,
          browser: eb('browser', '|', p('browser')),
          last_release: eb.fn.coalesce(eb.val(p('release')), eb.ref('last_release')),
        }))
        .where('id', '=', p('id'))
        .returning('count'),
    ),
    // The ring of the last five: the new occurrence takes the slot of the oldest.
    replaceOccurrence: prepare(db, (db, p) =>
      db
        .updateTable(OCCURRENCE_TABLE)
        .set(occurrenceFields(p))
        .where('group_id', '=', p('id'))
        .where('slot', '=', p('slot'))
        .returning('slot'),
    ),
    putOccurrence: prepare(db, (db, p) => {
      const fields = occurrenceFields(p)
      return db
        .insertInto(OCCURRENCE_TABLE)
        .values({ group_id: p('id'), slot: p('slot'), ...fields })
        .onConflict((oc) =>
          oc
            .columns(['group_id', 'slot'])
            .doUpdateSet((eb) =>
              Object.fromEntries(
                Object.keys(fields).map((column) => [column, eb.ref(`excluded.${column}` as never)]),
              ),
            ),
        )
    }),
    addEnvironment: prepare(db, (db, p) =>
      db
        .insertInto(ENVIRONMENT_TABLE)
        .values({ group_id: p('id'), environment: p('environment') })
        .onConflict((oc) => oc.doNothing()),
    ),
    countHour: prepare(db, (db, p) =>
      db
        .insertInto(HOUR_TABLE)
        .values({ group_id: p('id'), hour: p('hour'), count: 1 })
        .onConflict((oc) =>
          oc
            .columns(['group_id', 'hour'])
            .doUpdateSet((eb) => ({ count: eb(`${HOUR_TABLE}.count`, '+', 1) })),
        ),
    ),
  }
}

/**
 * One statement counts all of a report's tags (one per key, so no row is hit twice): a dozen single-row upserts
 * cost more than the rest of the ingest. Compiled once per tag count.
 */
function prepareTagCounter(db: Kysely<ErrorsTables>): (count: number) => PreparedQuery {
  const byCount = new Map<number, PreparedQuery>()
  return (count) => {
    let query = byCount.get(count)
    if (!query) {
      query = prepare(db, (db, p) =>
        db
          .insertInto(TAG_TABLE)
          .values(
            Array.from({ length: count }, (_, i) => ({
              group_id: p('id'),
              key: p(`key${i}`),
              value: p(`value${i}`),
              count: 1,
              last_seen: p('now'),
            })),
          )
          .onConflict((oc) =>
            oc.columns(['group_id', 'key', 'value']).doUpdateSet((eb) => ({
              count: eb(`${TAG_TABLE}.count`, '+', 1),
              last_seen: eb.ref('excluded.last_seen'),
            })),
          ),
      )
      byCount.set(count, query)
    }
    return query
  }
}

/** Muted, and neither its time nor its count has run out (the same rule as the list's `ignored` filter). */
export function isMuted(
  group: { count: unknown; muted: unknown; muted_until: unknown; muted_until_count: unknown },
  now: number,
): boolean {
  if (Number(group.muted) !== 1) return false
  if (group.muted_until !== null && Number(group.muted_until) <= now) return false
  return group.muted_until_count === null || Number(group.count) < Number(group.muted_until_count)
}

/**
 * Whether a report of `release` comes after a group resolved in `resolvedIn`. Versions made of numbers
 * (`1.10.2`, `v2-3`, `web@1.10.2`) compare numerically; other names differ or not. A report without a release, or a group
 * resolved without one, counts as later: better a false regression than a missed one.
 */
export function isLaterRelease(release: string | null, resolvedIn: string | null): boolean {
  if (resolvedIn === null || release === null) return true
  if (release === resolvedIn) return false
  // Sentry's `package@version` (`web@2.0.0`, `@acme/web@2.0.0`): versions of one package compare.
  const at = resolvedIn.lastIndexOf('@')
  if (at > 0) {
    const name = resolvedIn.slice(0, at + 1)
    return (
      !release.startsWith(name) || isLaterRelease(release.slice(name.length), resolvedIn.slice(name.length))
    )
  }
  const numbers = (text: string) =>
    /^v?\d+([.\-+]\d+)*$/.test(text)
      ? text
          .replace(/^v/, '')
          .split(/[.\-+]/)
          .map(Number)
      : undefined
  const a = numbers(release)
  const b = numbers(resolvedIn)
  if (!a || !b) return true
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0)
    if (diff !== 0) return diff > 0
  }
  return false
}

function occurrenceFields(p: Param) {
  return {
    seq: p('seq'),
    timestamp: p('timestamp'),
    traceback: p('traceback'),
    request_url: p('request_url'),
    request_method: p('request_method'),
    request_headers: p('request_headers'),
    user_id: p('user_id'),
    extra: p('extra'),
    environment: p('environment'),
    event_id: p('event_id'),
    release: p('release'),
    level: p('level'),
    event: p('event'),
  }
}

function normalizeGroup(row: GroupTable): GroupTable {
  return {
    ...row,
    id: Number(row.id),
    count: Number(row.count),
    first_seen: Number(row.first_seen),
    last_seen: Number(row.last_seen),
    resolved: Number(row.resolved),
    resolved_at: row.resolved_at === null ? null : Number(row.resolved_at),
    browser: Number(row.browser),
    muted: Number(row.muted),
    muted_until: row.muted_until === null ? null : Number(row.muted_until),
    muted_until_count: row.muted_until_count === null ? null : Number(row.muted_until_count),
  }
}

function normalizeOccurrence(row: OccurrenceTable): OccurrenceTable {
  return {
    ...row,
    group_id: Number(row.group_id),
    slot: Number(row.slot),
    seq: Number(row.seq),
    timestamp: Number(row.timestamp),
  }
}
