import type { Database } from '@monlight/core'
import { type ExpressionBuilder, type Kysely, sql } from 'kysely'
import {
  ENVIRONMENT_TABLE,
  type ErrorsTables,
  GROUP_TABLE,
  type GroupTable,
  OCCURRENCE_TABLE,
  type OccurrenceTable,
} from '../schema/tables.js'
import { createPlanRunner, type Param, type Plan, prepare } from './prepared.js'

/** Occurrences kept per group. */
export const KEEP_OCCURRENCES = 5

/** A validated report, ready to store: JSON fields already serialized. */
export type StoredReport = Pick<
  GroupTable,
  'fingerprint' | 'project' | 'exception_type' | 'message' | 'traceback'
> &
  Pick<
    OccurrenceTable,
    'request_url' | 'request_method' | 'request_headers' | 'user_id' | 'extra' | 'environment'
  >

export type IngestOutcome =
  | { status: 'created'; id: number; count: 1 }
  | { status: 'incremented' | 'reopened'; id: number; count: number }

export interface ListFilter {
  project?: string
  resolved: boolean
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

export type ErrorsStore = ReturnType<typeof createErrorsStore>

/** The only place with SQL. One implementation for SQLite, PGlite and PostgreSQL; dialect branches inline. */
export function createErrorsStore(database: Database) {
  // A host's plugins (camelCase and the like) must not rewrite our queries.
  const db = database.db.withoutPlugins() as Kysely<ErrorsTables>
  const postgres = database.dialect === 'postgres'
  const plans = createPlanRunner({ ...database, db })
  const q = prepareIngestQueries(db)

  function* ingestPlan(report: StoredReport, now: number): Plan<IngestOutcome> {
    const values = { ...report, now, browser: report.request_method === 'BROWSER' ? 1 : 0 }
    // PostgreSQL runs concurrent transactions: serialize reports of one fingerprint so they make one group.
    if (postgres) yield { query: q.lockFingerprint, values }
    // The common case, a repeat of an open group, is one statement.
    const [incremented] = yield { query: q.incrementOpenGroup, values }
    let outcome: IngestOutcome
    if (incremented !== undefined) {
      outcome = { status: 'incremented', id: Number(incremented.id), count: Number(incremented.count) }
    } else {
      const [resolved] = yield { query: q.findLatestResolved, values }
      if (resolved !== undefined) {
        const [reopened] = yield { query: q.reopenGroup, values: { ...values, id: resolved.id } }
        outcome = { status: 'reopened', id: Number(resolved.id), count: Number(reopened.count) }
      } else {
        const [created] = yield { query: q.insertGroup, values }
        outcome = { status: 'created', id: Number(created.id), count: 1 }
      }
    }
    const slot = (outcome.count - 1) % KEEP_OCCURRENCES
    const withId = { ...values, id: outcome.id, seq: outcome.count, slot }
    // The ring's slot exists once the group has had five reports: overwrite it (cheaper than an upsert).
    const [replaced] =
      outcome.count > KEEP_OCCURRENCES ? yield { query: q.replaceOccurrence, values: withId } : [undefined]
    if (replaced === undefined) yield { query: q.putOccurrence, values: withId }
    if (report.environment !== null) yield { query: q.addEnvironment, values: withId }
    return outcome
  }

  const byFilter = (eb: ExpressionBuilder<ErrorsTables, typeof GROUP_TABLE>, filter: ListFilter) => {
    const where = [eb('resolved', '=', filter.resolved ? 1 : 0)]
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
          .orderBy('last_seen', 'desc')
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
        .orderBy('seq', 'desc')
        .limit(KEEP_OCCURRENCES)
        .execute()
      return { group: normalizeGroup(group), occurrences: occurrences.map(normalizeOccurrence) }
    },

    /** Marks a group resolved (idempotent: an already resolved group keeps its `resolved_at`). */
    async resolve(id: number, now: number): Promise<boolean> {
      const result = await db
        .updateTable(GROUP_TABLE)
        .set({ resolved: 1, resolved_at: now })
        .where('id', '=', id)
        .where('resolved', '=', 0)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n || (await exists(id))
    },

    async unresolve(id: number): Promise<boolean> {
      const result = await db
        .updateTable(GROUP_TABLE)
        .set({ resolved: 0, resolved_at: null })
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async projects(): Promise<string[]> {
      const rows = await db.selectFrom(GROUP_TABLE).select('project').distinct().orderBy('project').execute()
      return rows.map((row) => row.project)
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
    // Only the columns that change: SQLite rewrites the index entries of every column in SET.
    incrementOpenGroup: prepare(db, (db, p) =>
      db
        .updateTable(GROUP_TABLE)
        .set((eb) => ({
          count: eb('count', '+', 1),
          last_seen: p('now'),
          browser: eb('browser', '|', p('browser')),
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
        .returning(['id', 'count']),
    ),
    findLatestResolved: prepare(db, (db, p) =>
      db
        .selectFrom(GROUP_TABLE)
        .select('id')
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
        })
        .returning('id'),
    ),
    reopenGroup: prepare(db, (db, p) =>
      db
        .updateTable(GROUP_TABLE)
        .set((eb) => ({
          count: eb('count', '+', 1),
          last_seen: p('now'),
          resolved: 0,
          resolved_at: null,
          browser: eb('browser', '|', p('browser')),
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
  }
}

function occurrenceFields(p: Param) {
  return {
    seq: p('seq'),
    timestamp: p('now'),
    traceback: p('traceback'),
    request_url: p('request_url'),
    request_method: p('request_method'),
    request_headers: p('request_headers'),
    user_id: p('user_id'),
    extra: p('extra'),
    environment: p('environment'),
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
