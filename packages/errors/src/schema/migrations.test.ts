import { migrate } from '@monlight/core'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createErrors } from '../index.js'
import { fingerprint } from '../service/fingerprint.js'
import { browserReport, manualClock, pythonReport } from '../test-support.js'
import { migrations } from './migrations.js'
import { ENVIRONMENT_TABLE, GROUP_TABLE, OCCURRENCE_TABLE } from './tables.js'

const HOUR = 3_600_000

/** A group and its last five occurrences as the 0001 code wrote them (no 0002 column named). */
async function insertOldGroup(
  db: Kysely<any>,
  report: ReturnType<typeof pythonReport>,
  options: { count: number; firstSeen: number; resolvedAt?: number },
): Promise<number> {
  const { count, firstSeen } = options
  const lastSeen = firstSeen + (count - 1) * HOUR
  const { id } = await db
    .insertInto(GROUP_TABLE)
    .values({
      fingerprint: fingerprint(report.project, report.exception_type, report.traceback),
      project: report.project,
      exception_type: report.exception_type,
      message: report.message,
      traceback: report.traceback,
      count,
      first_seen: firstSeen,
      last_seen: lastSeen,
      resolved: options.resolvedAt === undefined ? 0 : 1,
      resolved_at: options.resolvedAt ?? null,
      browser: report.request_method === 'BROWSER' ? 1 : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (let seq = Math.max(1, count - 4); seq <= count; seq++) {
    await db
      .insertInto(OCCURRENCE_TABLE)
      .values({
        group_id: id,
        slot: (seq - 1) % 5,
        seq,
        timestamp: firstSeen + (seq - 1) * HOUR,
        traceback: report.traceback,
        request_url: report.request_url ?? null,
        request_method: report.request_method ?? null,
        request_headers: report.request_headers === undefined ? null : JSON.stringify(report.request_headers),
        user_id: `user-${seq}`,
        extra: report.extra === undefined ? null : JSON.stringify(report.extra),
        environment: report.environment ?? null,
      })
      .execute()
  }
  if (report.environment)
    await db.insertInto(ENVIRONMENT_TABLE).values({ group_id: id, environment: report.environment }).execute()
  return Number(id)
}

describeDialects('errors migrations: 0001 → 0002', (dialect) => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await createTestDatabase(dialect)
  })
  afterEach(() => database.destroy())

  it('keeps the groups of a 0001 database readable; new reports join them by fingerprint', async () => {
    const { '0002_sentry_events': _, ...before } = migrations
    expect(
      await migrate(database.db, { module: 'errors', migrations: before, dialect: database.dialect }),
    ).toEqual({
      applied: ['0001_create_groups'],
    })
    const clock = manualClock()
    const start = clock.now() - 10 * 24 * HOUR
    const py = pythonReport({ request_url: '/checkout', request_method: 'POST', request_headers: { a: '1' } })
    const web = browserReport({ environment: 'production' })
    const pyId = await insertOldGroup(database.db, py, { count: 7, firstSeen: start })
    const webId = await insertOldGroup(database.db, web, {
      count: 1,
      firstSeen: start,
      resolvedAt: start + HOUR,
    })

    const errors = createErrors({ database, apiKeys: false, now: clock.now })
    expect((await errors.migrate()).applied).toEqual(['0002_sentry_events'])
    expect((await errors.migrate()).applied).toEqual([])

    const detail = await errors.service.get(pyId)
    expect(detail).toMatchObject({
      id: pyId,
      fingerprint: fingerprint(py.project, py.exception_type, py.traceback),
      project: 'e2e-test',
      exception_type: 'TestError',
      message: 'Something failed',
      traceback: py.traceback,
      count: 7,
      resolved: false,
      resolved_at: null,
      source: 'server',
      status: 'unresolved',
      level: null,
      platform: null,
      culprit: null,
      first_release: null,
      last_release: null,
      resolved_in_release: null,
      ignored_until: null,
      ignored_until_count: null,
      tags: [],
    })
    expect(detail.histogram).toHaveLength(30)
    expect(detail.histogram.every((day) => day.count === 0)).toBe(true)
    expect(detail.occurrences.map((o) => [o.id, o.user_id])).toEqual([
      [7, 'user-7'],
      [6, 'user-6'],
      [5, 'user-5'],
      [4, 'user-4'],
      [3, 'user-3'],
    ])
    expect(detail.occurrences[0]).toMatchObject({
      request_url: '/checkout',
      request_method: 'POST',
      request_headers: { a: '1' },
      environment: 'test',
      event_id: null,
      release: null,
      level: null,
      // Old rows have no event: one parsed from the traceback.
      event: {
        derived: true,
        exceptions: [
          { type: 'TestError', frames: [{ filename: '/app/test.py', lineno: 42, function: 'main' }] },
        ],
      },
    })
    const groupColumns = await sql<
      Record<string, unknown>
    >`select muted, muted_until, muted_until_count, resolved_in_release from ${sql.table(GROUP_TABLE)} where id = ${pyId}`.execute(
      database.db,
    )
    expect(groupColumns.rows.map((row) => ({ ...row, muted: Number(row.muted) }))).toEqual([
      { muted: 0, muted_until: null, muted_until_count: null, resolved_in_release: null },
    ])

    const list = await errors.service.list({ resolved: false, limit: 50, offset: 0 })
    expect(list.errors.map((e) => e.id)).toEqual([pyId])
    expect(list.errors[0]!.sparkline).toEqual(new Array(24).fill(0))
    const ids = async (filter: Partial<Parameters<typeof errors.service.list>[0]>) =>
      (await errors.service.list({ resolved: false, limit: 50, offset: 0, ...filter })).errors.map(
        (e) => e.id,
      )
    expect(await ids({ resolved: true })).toEqual([webId])
    expect(await ids({ status: 'unresolved' })).toEqual([pyId])
    expect(await ids({ status: 'ignored' })).toEqual([])
    expect(await ids({ status: 'resolved' })).toEqual([webId])
    expect(await ids({ resolved: true, source: 'browser', sessionId: 'session-001' })).toEqual([webId])
    expect(await ids({ environment: 'test' })).toEqual([pyId])
    expect(await ids({ sort: 'count' })).toEqual([pyId])
    expect(await errors.service.facets()).toEqual({ environments: ['production', 'test'], releases: [] })
    expect((await errors.service.events(pyId)).events.map((e) => e.id)).toEqual([7, 6, 5, 4, 3])
    expect(await errors.service.event(pyId, 5)).toMatchObject({
      id: 5,
      user_id: 'user-5',
      previous: 4,
      next: 6,
    })

    // New reports find their old groups by fingerprint and count on; the ring continues after the old slots.
    clock.advance(1000)
    expect(await errors.service.ingest({ ...py, user_id: 'user-8' })).toEqual({
      status: 'incremented',
      id: pyId,
      count: 8,
    })
    expect((await errors.service.events(pyId)).events.map((e) => e.id)).toEqual([8, 7, 6, 5, 4, 3])
    const after = await errors.service.get(pyId)
    expect(after.occurrences.map((o) => o.id)).toEqual([8, 7, 6, 5, 4])
    expect(after.histogram.at(-1)!.count).toBe(1)
    expect(after.first_seen).toBe(detail.first_seen)
    expect(await errors.service.ingest(web)).toEqual({ status: 'reopened', id: webId, count: 2 })
    expect((await errors.service.get(webId)).source).toBe('browser')

    // The old groups work with the new actions too.
    await errors.service.ignore(pyId, { count: 1 })
    expect((await errors.service.get(pyId)).status).toBe('ignored')
    await errors.service.ingest(py)
    expect((await errors.service.get(pyId)).status).toBe('unresolved')
    await errors.service.resolve(pyId, { inRelease: '2.0.0' })
    expect((await errors.service.ingest(py)).status).toBe('reopened')

    // A Sentry-grade report of the same error groups by its event instead: a group of its own.
    const structured = await errors.service.ingest({
      ...py,
      event: { exceptions: [{ type: 'TestError', value: 'Something failed', frames: [] }] },
    })
    expect(structured.status).toBe('created')
  })
})
