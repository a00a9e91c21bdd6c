import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createErrors, type ErrorsModule } from '../index.js'
import { ENVIRONMENT_TABLE, GROUP_TABLE, OCCURRENCE_TABLE } from '../schema/tables.js'
import { browserReport, manualClock, pythonReport } from '../test-support.js'

const DAY = 86_400_000

describeDialects('errors store and service', (dialect) => {
  let database: TestDatabase
  let errors: ErrorsModule
  const clock = manualClock()

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    errors = createErrors({ database, apiKeys: false, now: clock.now, retentionDays: 30 })
    expect((await errors.migrate()).applied).toEqual(['0001_create_groups', '0002_sentry_events'])
    expect((await errors.migrate()).applied).toEqual([])
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    for (const table of [OCCURRENCE_TABLE, ENVIRONMENT_TABLE, GROUP_TABLE]) {
      await sql`delete from ${sql.table(table)}`.execute(database.db)
    }
  })

  it('creates, increments, and keeps the first message', async () => {
    const created = await errors.service.ingest(pythonReport())
    expect(created).toEqual({
      status: 'created',
      id: expect.any(Number),
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    })
    clock.advance(1000)
    const again = await errors.service.ingest(pythonReport({ message: 'other text' }))
    expect(again).toEqual({ status: 'incremented', id: created.id, count: 2 })
    const detail = await errors.service.get(created.id)
    expect(detail).toMatchObject({
      id: created.id,
      project: 'e2e-test',
      message: 'Something failed',
      count: 2,
      resolved: false,
      resolved_at: null,
      source: 'server',
      first_seen: '2026-11-25T10:00:00Z',
    })
    expect(detail.occurrences).toHaveLength(2)
    expect(detail.occurrences[0]!.timestamp > detail.occurrences[1]!.timestamp).toBe(true)
  })

  it('keeps the last five occurrences with their context, newest first', async () => {
    let id = 0
    for (let i = 1; i <= 7; i++) {
      clock.advance(1000)
      const result = await errors.service.ingest(
        pythonReport({
          user_id: `u${i}`,
          request_url: `/p/${i}`,
          request_method: 'GET',
          request_headers: { 'x-n': i },
          extra: { i },
        }),
      )
      id = result.id
    }
    const detail = await errors.service.get(id)
    expect(detail.count).toBe(7)
    expect(detail.occurrences.map((o) => o.user_id)).toEqual(['u7', 'u6', 'u5', 'u4', 'u3'])
    expect(detail.occurrences[0]).toMatchObject({
      request_url: '/p/7',
      request_method: 'GET',
      request_headers: { 'x-n': 7 },
      extra: { i: 7 },
      environment: 'test',
    })
  })

  it('reopens a resolved group, counting on', async () => {
    const { id } = await errors.service.ingest(pythonReport())
    expect(await errors.service.resolve(id)).toEqual({ status: 'resolved', id })
    const resolvedAt = (await errors.service.get(id)).resolved_at
    clock.advance(5000)
    expect(await errors.service.resolve(id)).toEqual({ status: 'resolved', id })
    expect((await errors.service.get(id)).resolved_at).toBe(resolvedAt)
    expect(await errors.service.ingest(pythonReport())).toEqual({ status: 'reopened', id, count: 2 })
    expect(await errors.service.ingest(pythonReport())).toEqual({ status: 'incremented', id, count: 3 })
    expect(await errors.service.unresolve(id)).toEqual({ status: 'unresolved', id })
    await expect(errors.service.resolve(999_999)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Error not found',
    })
    await expect(errors.service.unresolve(999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(errors.service.get(999_999)).rejects.toMatchObject({ status: 404 })
  })

  it('lists with every filter', async () => {
    const start = clock.now()
    const py = await errors.service.ingest(pythonReport())
    clock.advance(60_000)
    const web = await errors.service.ingest(browserReport({ environment: 'production' }))
    clock.advance(60_000)
    const other = await errors.service.ingest(
      pythonReport({ project: 'billing', exception_type: 'KeyError', message: '100% of_rows' }),
    )
    await errors.service.resolve(other.id)
    const ids = async (filter: Partial<Parameters<typeof errors.service.list>[0]>) =>
      (await errors.service.list({ resolved: false, limit: 50, offset: 0, ...filter })).errors.map(
        (e) => e.id,
      )

    expect(await ids({})).toEqual([web.id, py.id])
    expect(await ids({ resolved: true })).toEqual([other.id])
    expect(await ids({ project: 'web' })).toEqual([web.id])
    expect(await ids({ source: 'browser' })).toEqual([web.id])
    expect(await ids({ source: 'server' })).toEqual([py.id])
    expect(await ids({ sessionId: 'session-001' })).toEqual([web.id])
    expect(await ids({ sessionId: 'nope' })).toEqual([])
    expect(await ids({ environment: 'production' })).toEqual([web.id])
    expect(await ids({ environment: 'test' })).toEqual([py.id])
    expect(await ids({ search: 'typeerror' })).toEqual([web.id])
    expect(await ids({ search: 'SOMETHING' })).toEqual([py.id])
    expect(await ids({ resolved: true, search: '100%' })).toEqual([other.id])
    expect(await ids({ resolved: true, search: '0%_' })).toEqual([])
    expect(await ids({ since: start + 30_000 })).toEqual([web.id])
    expect(await ids({ since: start })).toEqual([web.id, py.id])
    const page = await errors.service.list({ resolved: false, limit: 1, offset: 1 })
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1, errors: [{ id: py.id, source: 'server' }] })
    expect(page.errors[0]).not.toHaveProperty('traceback')
    expect(await errors.service.projects()).toEqual({ projects: ['billing', 'e2e-test', 'web'] })
  })

  it('browser source stays once seen', async () => {
    const { id } = await errors.service.ingest(browserReport())
    for (let i = 0; i < 6; i++) await errors.service.ingest(browserReport({ request_method: 'GET' }))
    expect((await errors.service.get(id)).source).toBe('browser')
  })

  it('validates in upstream order with upstream messages', async () => {
    const fails = (body: unknown) => errors.service.ingest(body as never)
    await expect(fails([])).rejects.toMatchObject({
      status: 400,
      message: 'Request body must be a JSON object',
    })
    await expect(fails({})).rejects.toMatchObject({ message: 'Missing required field: project' })
    await expect(fails({ project: 'p', exception_type: 1 })).rejects.toMatchObject({
      message: 'Missing required field: exception_type',
    })
    await expect(fails({ project: 'p', exception_type: 'E', message: 'm' })).rejects.toMatchObject({
      message: 'Missing required field: traceback',
    })
    await expect(fails(pythonReport({ project: 'é'.repeat(51) }))).rejects.toMatchObject({
      message: "Field 'project' exceeds maximum length of 100 characters",
    })
    await expect(fails(pythonReport({ exception_type: 'E'.repeat(201) }))).rejects.toMatchObject({
      message: "Field 'exception_type' exceeds maximum length of 200 characters",
    })
    expect(
      (await fails(pythonReport({ project: 'p'.repeat(100), exception_type: 'E'.repeat(200) }))).status,
    ).toBe('created')
  })

  it('capture() reports a thrown error in-process', async () => {
    const error = new RangeError('bad data at row:12')
    const first = await errors.service.capture(error, { user_id: 'u1', extra: { job: 'import' } })
    expect(first.status).toBe('created')
    expect(await errors.service.capture(error)).toEqual({ status: 'incremented', id: first.id, count: 2 })
    const detail = await errors.service.get(first.id)
    expect(detail).toMatchObject({
      project: 'default',
      exception_type: 'RangeError',
      message: 'bad data at row:12',
    })
    expect(detail.traceback).toBe(error.stack)
  })

  it('retention deletes old resolved groups with their occurrences', async () => {
    const old = await errors.service.ingest(pythonReport({ exception_type: 'Old' }))
    const open = await errors.service.ingest(pythonReport({ exception_type: 'Open' }))
    await errors.service.resolve(old.id)
    clock.advance(29 * DAY)
    expect(await errors.service.applyRetention()).toBe(0)
    const recent = await errors.service.ingest(pythonReport({ exception_type: 'Recent' }))
    await errors.service.resolve(recent.id)
    clock.advance(2 * DAY)
    expect(await errors.service.applyRetention()).toBe(1)
    await expect(errors.service.get(old.id)).rejects.toMatchObject({ status: 404 })
    expect((await errors.service.get(open.id)).id).toBe(open.id)
    expect((await errors.service.get(recent.id)).id).toBe(recent.id)
    const orphans = await sql<{
      n: number
    }>`select count(*) as n from ${sql.table(OCCURRENCE_TABLE)} where group_id = ${old.id}`.execute(
      database.db,
    )
    expect(Number(orphans.rows[0]!.n)).toBe(0)
  })

  it('concurrent reports of one new error make one group', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => errors.service.ingest(pythonReport())))
    expect(new Set(results.map((r) => r.id)).size).toBe(1)
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1)
    expect((await errors.service.get(results[0]!.id)).count).toBe(20)
  })
})
