import type { ErrorEvent, ErrorReport } from '@monlight/core'
import {
  createTestDatabase,
  describeDialects,
  startHttpReceiver,
  type TestDatabase,
} from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createErrors, type ErrorsModule } from '../index.js'
import { ENVIRONMENT_TABLE, GROUP_TABLE, HOUR_TABLE, OCCURRENCE_TABLE, TAG_TABLE } from '../schema/tables.js'
import { browserReport, manualClock, pythonReport } from '../test-support.js'
import { fingerprint } from './fingerprint.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const MINUTE = 60_000

/** A report with a Sentry-grade event; the exception type picks the group (same frames otherwise). */
function sentryReport(event: ErrorEvent = {}, overrides: Partial<ErrorReport> = {}): ErrorReport {
  const type = event.exceptions?.at(-1)?.type ?? 'TypeError'
  return {
    project: 'shop',
    exception_type: type,
    message: "Cannot read properties of undefined (reading 'total')",
    traceback: '',
    environment: 'production',
    ...overrides,
    event: {
      level: 'error',
      platform: 'javascript',
      exceptions: [
        {
          type,
          value: "Cannot read properties of undefined (reading 'total')",
          frames: [
            { function: 'main', filename: 'src/main.ts', lineno: 1, in_app: true },
            { function: 'total', filename: 'src/cart.ts', lineno: 42, colno: 7, in_app: true },
            { function: 'get', filename: 'node_modules/lodash/get.js', lineno: 9, in_app: false },
          ],
        },
      ],
      ...event,
    },
  }
}

const ofType = (type: string, event: ErrorEvent = {}, overrides: Partial<ErrorReport> = {}) =>
  sentryReport({ exceptions: [{ type, value: 'boom', frames: [] }], ...event }, overrides)

const hexId = (n: number) => n.toString(16).padStart(32, '0')

describeDialects('Sentry-grade events', (dialect) => {
  let database: TestDatabase
  let errors: ErrorsModule
  let receiver: Awaited<ReturnType<typeof startHttpReceiver>>
  const clock = manualClock()

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    receiver = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }))
    errors = createErrors({
      database,
      apiKeys: false,
      now: clock.now,
      keepEvents: 5,
      alerts: { webhook: { url: receiver.url }, perMinute: 10_000, spikes: [{ events: 3, minutes: 5 }] },
    })
    await errors.migrate()
  })
  afterAll(async () => {
    await errors?.alertsIdle()
    await receiver?.close()
    await database?.destroy()
  })
  beforeEach(async () => {
    await errors.alertsIdle()
    receiver.received.length = 0
    for (const table of [OCCURRENCE_TABLE, ENVIRONMENT_TABLE, TAG_TABLE, HOUR_TABLE, GROUP_TABLE]) {
      await sql`delete from ${sql.table(table)}`.execute(database.db)
    }
    // Past every spike window of the previous test.
    clock.advance(DAY)
  })

  /** The alerts sent for a group: `created`, `reopened`, `spike`. */
  const alertsOf = async (id: number) => {
    await errors.alertsIdle()
    return receiver.received
      .filter((request) => request.body?.error?.id === id)
      .map((request) => String(request.body.event).replace('error.', ''))
  }

  it('keeps the structured event: exceptions, frames, breadcrumbs, tags, contexts, user, request', async () => {
    const event: ErrorEvent = {
      event_id: hexId(1),
      level: 'warning',
      platform: 'javascript',
      release: 'shop@1.2.0',
      server_name: 'web-1',
      exceptions: [
        { type: 'ConnectionError', value: 'refused', frames: [] },
        {
          type: 'TypeError',
          value: 'total of undefined',
          mechanism: { type: 'onerror', handled: false },
          frames: [
            { function: 'main', filename: 'src/main.ts', lineno: 1, in_app: true },
            {
              function: 'total',
              filename: 'src/cart.ts',
              lineno: 42,
              in_app: true,
              context_line: '  return cart.total',
              pre_context: ['function total(cart) {'],
              vars: { cart: null },
            },
          ],
        },
      ],
      breadcrumbs: [{ timestamp: clock.now() - 1000, category: 'ui.click', message: 'Pay' }],
      tags: { feature: 'checkout' },
      contexts: { browser: { name: 'Chrome', version: '120' }, os: { name: 'macOS', version: '14' } },
      user: { id: 'u-7', email: 'u7@example.com' },
      request: { url: 'https://shop.example.com/cart?x=1', method: 'post', headers: { accept: '*/*' } },
    }
    const created = await errors.service.ingest(sentryReport(event))
    expect(created.status).toBe('created')
    const detail = await errors.service.get(created.id)
    const [occurrence] = detail.occurrences
    expect(occurrence).toMatchObject({
      id: 1,
      event_id: hexId(1),
      release: 'shop@1.2.0',
      level: 'warning',
      environment: 'production',
    })
    expect(occurrence!.event).toEqual({ ...event, request: { ...event.request, method: 'POST' } })
    expect(occurrence!.event).not.toHaveProperty('truncated')
    expect(occurrence!.event).not.toHaveProperty('derived')
    expect((await errors.service.event(created.id, 1)).event).toEqual(occurrence!.event)
    expect(detail).toMatchObject({
      level: 'warning',
      platform: 'javascript',
      culprit: 'total (src/cart.ts)',
      first_release: 'shop@1.2.0',
      last_release: 'shop@1.2.0',
    })
    expect(Object.fromEntries(detail.tags.map((tag) => [tag.key, tag.values]))).toEqual({
      browser: [{ value: 'Chrome 120', count: 1 }],
      'browser.name': [{ value: 'Chrome', count: 1 }],
      environment: [{ value: 'production', count: 1 }],
      feature: [{ value: 'checkout', count: 1 }],
      level: [{ value: 'warning', count: 1 }],
      os: [{ value: 'macOS 14', count: 1 }],
      'os.name': [{ value: 'macOS', count: 1 }],
      release: [{ value: 'shop@1.2.0', count: 1 }],
      server_name: [{ value: 'web-1', count: 1 }],
      url: [{ value: 'https://shop.example.com/cart', count: 1 }],
      user: [{ value: 'id:u-7', count: 1 }],
    })
  })

  it('notes what was cut to fit the limits', async () => {
    const breadcrumbs = Array.from({ length: 300 }, (_, i) => ({ message: `crumb ${i}` }))
    const { id } = await errors.service.ingest(sentryReport({ breadcrumbs, message: 'm'.repeat(9000) }))
    const { event } = (await errors.service.get(id)).occurrences[0]!
    expect(event!.breadcrumbs).toHaveLength(100)
    expect(event!.breadcrumbs![0]!.message).toBe('crumb 200')
    expect(event!.message).toHaveLength(8192)
    expect(event!.truncated).toEqual([
      'message: cut to 8192 characters',
      'breadcrumbs: kept the newest 100 of 300',
    ])
  })

  it('stores NUL in tag keys and values on every dialect (as U+FFFD)', async () => {
    const { id } = await errors.service.ingest(sentryReport({ tags: { 'a\u0000b': 'x\u0000' } }))
    const tags = (await errors.service.get(id)).tags
    expect(tags.find((tag) => tag.key === 'a\uFFFDb')?.values).toEqual([{ value: 'x\uFFFD', count: 1 }])
  })

  it('counts a repeated event_id once (an SDK retry)', async () => {
    const report = sentryReport({ event_id: hexId(2) })
    const first = await errors.service.ingest(report)
    const retry = await errors.service.ingest(sentryReport({ event_id: hexId(2).toUpperCase() }))
    expect(retry).toEqual({ status: 'incremented', id: first.id, count: 1 })
    const other = await errors.service.ingest(sentryReport({ event_id: hexId(3) }))
    expect(other).toEqual({ status: 'incremented', id: first.id, count: 2 })
    expect(await errors.service.ingest(report)).toEqual({ status: 'incremented', id: first.id, count: 2 })
    const detail = await errors.service.get(first.id)
    expect(detail.count).toBe(2)
    expect(detail.occurrences.map((o) => o.event_id)).toEqual([hexId(3), hexId(2)])
    expect(detail.tags.find((tag) => tag.key === 'level')?.values).toEqual([{ value: 'error', count: 2 }])
    expect(detail.histogram.at(-1)!.count).toBe(2)
  })

  it('keeps the newest 5 events (keepEvents), pages them, and links each to its neighbours', async () => {
    let id = 0
    for (let i = 1; i <= 12; i++) {
      clock.advance(1000)
      id = (await errors.service.ingest(sentryReport({ event_id: hexId(100 + i) }, { user_id: `u${i}` }))).id
    }
    const seqs = async (options?: { limit?: number; before?: number }) =>
      (await errors.service.events(id, options)).events.map((event) => event.id)
    expect(await seqs()).toEqual([12, 11, 10, 9, 8])
    expect(await seqs({ limit: 2 })).toEqual([12, 11])
    expect(await seqs({ limit: 2, before: 11 })).toEqual([10, 9])
    expect(await seqs({ before: 9 })).toEqual([8])
    expect(await seqs({ before: 8 })).toEqual([])
    expect(await seqs({ before: 99_999_999_999 })).toEqual([12, 11, 10, 9, 8])
    expect((await errors.service.events(id, { limit: 1 })).events[0]).toEqual({
      id: 12,
      timestamp: expect.stringMatching(/Z$/),
      event_id: hexId(112),
      release: null,
      environment: 'production',
      level: 'error',
      request_url: null,
      user_id: 'u12',
    })

    expect(await errors.service.event(id, 10)).toMatchObject({
      id: 10,
      user_id: 'u10',
      previous: 9,
      next: 11,
    })
    expect(await errors.service.event(id, 8)).toMatchObject({ previous: null, next: 9 })
    expect(await errors.service.event(id, 12)).toMatchObject({ previous: 11, next: null })
    for (const seq of [7, 3, 13, 99_999_999_999]) {
      await expect(errors.service.event(id, seq), String(seq)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        status: 404,
      })
    }
    await expect(errors.service.events(999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(errors.service.event(999_999, 1)).rejects.toMatchObject({ code: 'NOT_FOUND' })

    const detail = await errors.service.get(id)
    expect(detail.count).toBe(12)
    expect(detail.events_kept).toBe(5)
    expect(detail.occurrences.map((o) => o.id)).toEqual([12, 11, 10, 9, 8])
    // The ring holds five rows, reused in place.
    const rows = await sql<{
      n: number
    }>`select count(*) as n from ${sql.table(OCCURRENCE_TABLE)} where group_id = ${id}`.execute(database.db)
    expect(Number(rows.rows[0]!.n)).toBe(5)
    // A retry of an event that left the ring counts again (the ring is the memory of retries).
    expect(await errors.service.ingest(sentryReport({ event_id: hexId(101) }))).toMatchObject({ count: 13 })
    expect(await errors.service.ingest(sentryReport({ event_id: hexId(112) }))).toMatchObject({ count: 13 })
  })

  it('after keepEvents was lowered: shows the newest only, and retention deletes the rest', async () => {
    // Ten kept per group before, five now (this module).
    const before = createErrors({ database, apiKeys: false, now: clock.now, keepEvents: 10 })
    let id = 0
    for (let i = 1; i <= 12; i++)
      id = (await before.service.ingest(sentryReport({ event_id: hexId(200 + i) }))).id
    const rowCount = async () =>
      Number(
        (
          await sql<{
            n: number
          }>`select count(*) as n from ${sql.table(OCCURRENCE_TABLE)} where group_id = ${id}`.execute(
            database.db,
          )
        ).rows[0]!.n,
      )
    expect(await rowCount()).toBe(10)
    const seqs = async () => (await errors.service.events(id)).events.map((event) => event.id)
    expect(await seqs()).toEqual([12, 11, 10, 9, 8])
    expect((await errors.service.get(id)).occurrences.map((o) => o.id)).toEqual([12, 11, 10, 9, 8])
    expect(await errors.service.event(id, 8)).toMatchObject({ previous: null, next: 9 })
    await expect(errors.service.event(id, 7)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    for (let i = 13; i <= 14; i++) await errors.service.ingest(sentryReport({ event_id: hexId(200 + i) }))
    expect(await seqs()).toEqual([14, 13, 12, 11, 10])
    await errors.service.applyRetention()
    expect(await rowCount()).toBe(5)
    expect(await seqs()).toEqual([14, 13, 12, 11, 10])
    for (let i = 15; i <= 30; i++) await errors.service.ingest(sentryReport({ event_id: hexId(200 + i) }))
    expect(await seqs()).toEqual([30, 29, 28, 27, 26])
    // The row the ring no longer reaches (slot 9) waits for the next retention run.
    expect(await rowCount()).toBe(6)
    await errors.service.applyRetention()
    expect(await rowCount()).toBe(5)
    expect(await seqs()).toEqual([30, 29, 28, 27, 26])
  })

  it('counts per hour: a 30-day histogram in the detail, a 24-hour sparkline in the list', async () => {
    const now = clock.now()
    const report = (timestamp?: number) => sentryReport(timestamp === undefined ? {} : { timestamp })
    const { id } = await errors.service.ingest(report())
    await errors.service.ingest(report())
    await errors.service.ingest(report(now - 2 * HOUR))
    await errors.service.ingest(report(now - 3 * DAY))
    await errors.service.ingest(report(now - 29 * DAY))
    // Further than 30 days from the clock: counted when it arrived.
    await errors.service.ingest(report(now - 40 * DAY))
    await errors.service.ingest(report(now + 40 * DAY))
    // Upstream reports count too.
    const upstream = await errors.service.ingest(pythonReport())
    const detail = await errors.service.get(id)
    expect(detail.histogram).toHaveLength(30)
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
    expect(detail.histogram.at(-1)).toEqual({
      date: day(now),
      count: 4 + (day(now - 2 * HOUR) === day(now) ? 1 : 0),
    })
    expect(detail.histogram[0]!.date).toBe(day(now - 29 * DAY))
    expect(detail.histogram[0]!.count).toBe(1)
    expect(detail.histogram.find((entry) => entry.date === day(now - 3 * DAY))!.count).toBe(1)
    expect(detail.histogram.reduce((sum, entry) => sum + entry.count, 0)).toBe(7)

    const listed = (await errors.service.list({ resolved: false, limit: 50, offset: 0 })).errors
    const line = listed.find((error) => error.id === id)!.sparkline!
    expect(line).toHaveLength(24)
    expect(line[23]).toBe(4)
    expect(line[21]).toBe(1)
    expect(line.reduce((sum, n) => sum + n, 0)).toBe(5)
    expect(listed.find((error) => error.id === upstream.id)!.sparkline).toEqual([...new Array(23).fill(0), 1])
    // An hour later the newest hour is the second last.
    clock.advance(HOUR)
    const later = (await errors.service.list({ resolved: false, limit: 50, offset: 0 })).errors
    expect(later.find((error) => error.id === id)!.sparkline!.slice(-2)).toEqual([4, 0])
  })

  it('tag facets, the tags and release filters, and facets()', async () => {
    const browser = (name: string, version: string) => ({ browser: { name, version } })
    // A second apart: releases are listed by when they were last seen.
    const ingest = (report: ErrorReport) => {
      clock.advance(1000)
      return errors.service.ingest(report)
    }
    const chrome = await ingest(
      ofType('ChromeOnly', {
        contexts: browser('Chrome', '120'),
        release: '1.0.0',
        tags: { feature: 'pay' },
      }),
    )
    await ingest(ofType('ChromeOnly', { contexts: browser('Chrome', '120'), release: '1.1.0' }))
    const mixed = await ingest(
      ofType('Mixed', { contexts: browser('Firefox', '121'), release: '1.1.0' }, { environment: 'staging' }),
    )
    await ingest(ofType('Mixed', { contexts: browser('Chrome', '120'), release: '1.2.0' }))
    const blog = await ingest(
      ofType('Blog', { release: 'blog@3' }, { project: 'blog', environment: 'preview' }),
    )

    const detail = await errors.service.get(chrome.id)
    expect(detail.tags.find((tag) => tag.key === 'release')?.values).toEqual([
      { value: '1.0.0', count: 1 },
      { value: '1.1.0', count: 1 },
    ])
    expect((await errors.service.get(mixed.id)).tags.find((tag) => tag.key === 'browser')?.values).toEqual([
      { value: 'Chrome 120', count: 1 },
      { value: 'Firefox 121', count: 1 },
    ])
    const ids = async (filter: Partial<Parameters<typeof errors.service.list>[0]>) =>
      (await errors.service.list({ resolved: false, limit: 50, offset: 0, ...filter })).errors.map(
        (e) => e.id,
      )
    expect(await ids({ tags: [['browser', 'Chrome 120']] })).toEqual([mixed.id, chrome.id])
    expect(await ids({ tags: [['browser', 'Firefox 121']] })).toEqual([mixed.id])
    expect(await ids({ tags: [['browser', 'Firefox']] })).toEqual([])
    expect(await ids({ tags: [['browser.name', 'Firefox']] })).toEqual([mixed.id])
    expect(
      await ids({
        tags: [
          ['browser', 'Chrome 120'],
          ['feature', 'pay'],
        ],
      }),
    ).toEqual([chrome.id])
    expect(await ids({ release: '1.1.0' })).toEqual([mixed.id, chrome.id])
    expect(await ids({ release: '1.0.0' })).toEqual([chrome.id])
    expect(await ids({ release: '1.2.0', tags: [['browser', 'Firefox 121']] })).toEqual([mixed.id])
    expect(await ids({ release: '9.9.9' })).toEqual([])
    expect(await ids({ tags: [['environment', 'staging']] })).toEqual([mixed.id])
    expect(
      (await errors.service.list({ resolved: false, limit: 1, offset: 0, release: '1.1.0' })).total,
    ).toBe(2)

    expect(await errors.service.facets()).toEqual({
      environments: ['preview', 'production', 'staging'],
      releases: ['blog@3', '1.2.0', '1.1.0', '1.0.0'],
    })
    expect(await errors.service.facets('shop')).toEqual({
      environments: ['production', 'staging'],
      releases: ['1.2.0', '1.1.0', '1.0.0'],
    })
    expect(await errors.service.facets('blog')).toEqual({ environments: ['preview'], releases: ['blog@3'] })
    expect(await errors.service.facets('nobody')).toEqual({ environments: [], releases: [] })
    expect(blog.status).toBe('created')
  })

  it('ignores forever, until a time, until a count; the status filters follow', async () => {
    const forever = await errors.service.ingest(ofType('Forever'))
    const timed = await errors.service.ingest(ofType('Timed'))
    const counted = await errors.service.ingest(ofType('Counted'))
    const open = await errors.service.ingest(ofType('Open'))
    const status = async (id: number) => (await errors.service.get(id)).status
    const ids = async (filter: Partial<Parameters<typeof errors.service.list>[0]>) =>
      (await errors.service.list({ resolved: false, limit: 50, offset: 0, ...filter })).errors
        .map((e) => e.id)
        .sort((a, b) => a - b)

    expect(await errors.service.ignore(forever.id)).toEqual({ status: 'ignored', id: forever.id })
    const until = clock.now() + HOUR
    await errors.service.ignore(timed.id, { until: new Date(until).toISOString() })
    await errors.service.ignore(counted.id, { count: 3 })
    expect(await errors.service.get(timed.id)).toMatchObject({
      status: 'ignored',
      ignored_until: new Date(until).toISOString().replace('.000Z', 'Z'),
      ignored_until_count: null,
    })
    expect(await errors.service.get(counted.id)).toMatchObject({
      status: 'ignored',
      ignored_until: null,
      ignored_until_count: 4,
      resolved: false,
    })
    expect(await ids({ status: 'ignored' })).toEqual([forever.id, timed.id, counted.id])
    expect(await ids({ status: 'unresolved' })).toEqual([open.id])
    expect(await ids({})).toEqual([forever.id, timed.id, counted.id, open.id])

    // Two more reports: still ignored; the third brings it back.
    await errors.service.ingest(ofType('Counted'))
    await errors.service.ingest(ofType('Counted'))
    expect(await status(counted.id)).toBe('ignored')
    await errors.service.ingest(ofType('Counted'))
    expect(await status(counted.id)).toBe('unresolved')

    clock.advance(HOUR - 1)
    expect(await status(timed.id)).toBe('ignored')
    clock.advance(1)
    expect(await status(timed.id)).toBe('unresolved')
    expect(await ids({ status: 'unresolved' })).toEqual([timed.id, counted.id, open.id])
    expect(await ids({ status: 'ignored' })).toEqual([forever.id])

    await errors.service.ingest(ofType('Forever'))
    clock.advance(365 * DAY)
    expect(await status(forever.id)).toBe('ignored')
    expect(await errors.service.unignore(forever.id)).toEqual({ status: 'unresolved', id: forever.id })
    expect(await status(forever.id)).toBe('unresolved')

    // Epoch ms, fractions included (rounded: `muted_until` is a bigint).
    await errors.service.ignore(open.id, { until: clock.now() + 1000.5 })
    expect(await status(open.id)).toBe('ignored')
    for (const until of ['tomorrow', 1e300, Number.NaN, true, [2026], {}]) {
      await expect(
        errors.service.ignore(open.id, { until: until as never }),
        String(until),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: "Field 'until' must be an ISO 8601 time or epoch milliseconds",
      })
    }
    for (const count of [0, -1, 1.5, '3', 2e9]) {
      await expect(errors.service.ignore(open.id, { count: count as never })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: "Field 'count' must be a whole number of reports from 1",
      })
    }
    await expect(errors.service.ignore(999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(errors.service.unignore(999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('resolved in a release: the same or an older release counts quietly, a later one reopens', async () => {
    const report = (release?: string) => sentryReport(release === undefined ? {} : { release })
    const { id } = await errors.service.ingest(report('web@1.2.0'))
    expect(await errors.service.resolve(id, { inRelease: ' web@1.2.0 ' })).toEqual({ status: 'resolved', id })
    expect(await errors.service.get(id)).toMatchObject({
      status: 'resolved',
      resolved_in_release: 'web@1.2.0',
    })
    for (const [release, count] of [
      ['web@1.2.0', 2],
      ['web@1.1.9', 3],
      ['web@1.2', 4],
    ] as const) {
      expect(await errors.service.ingest(report(release)), release).toEqual({
        status: 'incremented',
        id,
        count,
      })
      expect((await errors.service.get(id)).status).toBe('resolved')
    }
    // Neither counted reports nor a spike (three in a minute) alert while resolved.
    expect(await alertsOf(id)).toEqual(['created'])
    expect(await errors.service.ingest(report('web@1.10.0'))).toEqual({ status: 'reopened', id, count: 5 })
    expect(await errors.service.get(id)).toMatchObject({
      status: 'unresolved',
      resolved_in_release: null,
      last_release: 'web@1.10.0',
      first_release: 'web@1.2.0',
    })
    expect(await alertsOf(id)).toEqual(['created', 'reopened'])

    // Another package's release, or none at all, is later.
    await errors.service.resolve(id, { inRelease: 'web@2.0.0' })
    expect((await errors.service.ingest(report('api@1.0.0'))).status).toBe('reopened')
    await errors.service.resolve(id, { inRelease: '2.0.0' })
    expect((await errors.service.ingest(report('1.9.9'))).status).toBe('incremented')
    expect((await errors.service.ingest(report())).status).toBe('reopened')
    // A plain resolve: any report reopens.
    await errors.service.resolve(id)
    expect((await errors.service.ingest(report('0.0.1'))).status).toBe('reopened')
    await expect(errors.service.resolve(id, { inRelease: 'x'.repeat(201) })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
  })

  it('bulk resolve, ignore, unignore and unresolve; unknown ids in not_found', async () => {
    const a = await errors.service.ingest(ofType('BulkA'))
    const b = await errors.service.ingest(ofType('BulkB'))
    const status = async (id: number) => (await errors.service.get(id)).status
    const bulk = async (body: unknown) => {
      const result = await errors.service.bulk(body)
      return { ...result, ids: [...result.ids].sort((x, y) => x - y) }
    }
    expect(await bulk({ ids: [a.id, 999_998, b.id, a.id], action: 'ignore', until: { count: 2 } })).toEqual({
      status: 'ignored',
      ids: [a.id, b.id],
      not_found: [999_998],
    })
    expect((await errors.service.get(a.id)).ignored_until_count).toBe(3)
    expect(await bulk({ ids: [a.id, 999_999], action: 'unignore' })).toEqual({
      status: 'unresolved',
      ids: [a.id],
      not_found: [999_999],
    })
    expect([await status(a.id), await status(b.id)]).toEqual(['unresolved', 'ignored'])
    expect(await errors.service.bulk({ ids: [b.id, a.id, 999_999], action: 'resolve' })).toEqual({
      status: 'resolved',
      ids: [b.id, a.id],
      not_found: [999_999],
    })
    expect([await status(a.id), await status(b.id)]).toEqual(['resolved', 'resolved'])
    expect(await errors.service.bulk({ ids: [a.id, 999_999], action: 'unresolve' })).toEqual({
      status: 'unresolved',
      ids: [a.id],
      not_found: [999_999],
    })
    const invalid: [unknown, string][] = [
      [null, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: [], action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: ['1'], action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: [1.5], action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [{ ids: [0], action: 'resolve' }, "Field 'ids' must be a list of 1 to 500 error ids"],
      [
        { ids: Array.from({ length: 501 }, (_, i) => i + 1), action: 'resolve' },
        "Field 'ids' must be a list of 1 to 500 error ids",
      ],
      [{ ids: [1] }, "Field 'action' must be one of resolve, unresolve, ignore, unignore"],
      [{ ids: [1], action: 'delete' }, "Field 'action' must be one of resolve, unresolve, ignore, unignore"],
      [
        { ids: [a.id], action: 'ignore', until: { until: 'soon' } },
        "Field 'until' must be an ISO 8601 time or epoch milliseconds",
      ],
    ]
    for (const [body, message] of invalid) {
      await expect(errors.service.bulk(body), JSON.stringify(body)?.slice(0, 80)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message,
      })
    }
  })

  it('alerts a spike once per window, never for an ignored group', async () => {
    const spiking = await errors.service.ingest(ofType('Spike'))
    await errors.service.ingest(ofType('Spike'))
    expect(await alertsOf(spiking.id)).toEqual(['created'])
    await errors.service.ingest(ofType('Spike'))
    expect(await alertsOf(spiking.id)).toEqual(['created', 'spike'])
    const spike = receiver.received.find((request) => request.body.event === 'error.spike')!
    expect(spike.body.subject).toContain('Spike (3 events in 5 min)')
    expect(spike.body.error).toMatchObject({ id: spiking.id, count: 3 })
    for (let i = 0; i < 6; i++) await errors.service.ingest(ofType('Spike'))
    clock.advance(4 * MINUTE)
    for (let i = 0; i < 3; i++) await errors.service.ingest(ofType('Spike'))
    expect(await alertsOf(spiking.id)).toEqual(['created', 'spike'])
    // The window over, three more make another spike.
    clock.advance(MINUTE)
    for (let i = 0; i < 3; i++) await errors.service.ingest(ofType('Spike'))
    expect(await alertsOf(spiking.id)).toEqual(['created', 'spike', 'spike'])

    const quiet = await errors.service.ingest(ofType('Quiet'))
    await errors.service.ignore(quiet.id)
    for (let i = 0; i < 5; i++) await errors.service.ingest(ofType('Quiet'))
    expect(await alertsOf(quiet.id)).toEqual(['created'])
  })

  it('summary fields: level, platform, culprit, first and last release; upstream reports have none', async () => {
    const first = await errors.service.ingest(
      sentryReport({ level: 'fatal', platform: 'node', release: '1.0.0', transaction: 'POST /pay' }),
    )
    await errors.service.ingest(sentryReport({ level: 'info', platform: 'python', release: '1.1.0' }))
    await errors.service.ingest(sentryReport({ level: 'info' }))
    const summary = (await errors.service.list({ resolved: false, limit: 50, offset: 0 })).errors.find(
      (error) => error.id === first.id,
    )
    // The first report's level, platform and culprit; the last release seen.
    expect(summary).toMatchObject({
      level: 'fatal',
      platform: 'node',
      culprit: 'POST /pay',
      first_release: '1.0.0',
      last_release: '1.1.0',
      status: 'unresolved',
      resolved_in_release: null,
      ignored_until: null,
      ignored_until_count: null,
    })
    const noFrames = await errors.service.ingest(
      ofType('NoFrames', { level: undefined, platform: undefined }),
    )
    expect(await errors.service.get(noFrames.id)).toMatchObject({
      level: 'error',
      culprit: null,
      platform: null,
    })
    const libraryOnly = await errors.service.ingest(
      ofType('Library', {
        exceptions: [
          {
            type: 'Library',
            value: 'x',
            frames: [{ function: 'get', filename: 'node_modules/lodash/get.js', in_app: false }],
          },
        ],
      }),
    )
    expect((await errors.service.get(libraryOnly.id)).culprit).toBe('get (node_modules/lodash/get.js)')
    const upstream = await errors.service.ingest(pythonReport())
    expect(await errors.service.get(upstream.id)).toMatchObject({
      level: null,
      platform: null,
      culprit: null,
      first_release: null,
      last_release: null,
    })
  })

  it('sorts by last seen (default), count or first seen', async () => {
    const old = await errors.service.ingest(ofType('Old'))
    clock.advance(1000)
    const busy = await errors.service.ingest(ofType('Busy'))
    for (let i = 0; i < 3; i++) await errors.service.ingest(ofType('Busy'))
    clock.advance(1000)
    const fresh = await errors.service.ingest(ofType('Fresh'))
    await errors.service.ingest(ofType('Fresh'))
    clock.advance(1000)
    await errors.service.ingest(ofType('Old'))
    const order = async (sort?: 'last_seen' | 'first_seen' | 'count') =>
      (
        await errors.service.list({ resolved: false, limit: 50, offset: 0, ...(sort && { sort }) })
      ).errors.map((e) => e.id)
    expect(await order()).toEqual([old.id, fresh.id, busy.id])
    expect(await order('last_seen')).toEqual([old.id, fresh.id, busy.id])
    expect(await order('count')).toEqual([busy.id, fresh.id, old.id])
    expect(await order('first_seen')).toEqual([fresh.id, busy.id, old.id])
  })

  it('upstream reports get an event parsed from their traceback; their fingerprint stays upstream', async () => {
    const py = pythonReport({
      traceback: [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 42, in main',
        '    run()',
        '  File "/usr/lib/python3/site-packages/lib.py", line 7, in run',
        'TestError: Something failed',
      ].join('\n'),
    })
    const created = await errors.service.ingest(py)
    expect(created).toMatchObject({ fingerprint: fingerprint(py.project, py.exception_type, py.traceback) })
    const expected = {
      derived: true,
      platform: 'python',
      exceptions: [
        {
          type: 'TestError',
          value: 'Something failed',
          frames: [
            { filename: '/app/main.py', lineno: 42, function: 'main', context_line: 'run()', in_app: true },
            { filename: '/usr/lib/python3/site-packages/lib.py', lineno: 7, function: 'run', in_app: false },
          ],
        },
      ],
    }
    expect((await errors.service.get(created.id)).occurrences[0]!.event).toEqual(expected)
    expect((await errors.service.event(created.id, 1)).event).toEqual(expected)
    // Derived on the way out, never stored.
    const stored = await sql<{
      event: string | null
    }>`select event from ${sql.table(OCCURRENCE_TABLE)} where group_id = ${created.id}`.execute(database.db)
    expect(stored.rows).toEqual([{ event: null }])

    const web = await errors.service.ingest(browserReport())
    expect((await errors.service.get(web.id)).occurrences[0]!.event).toEqual({
      derived: true,
      platform: 'javascript',
      exceptions: [
        {
          type: 'TypeError',
          value: "Cannot read properties of undefined (reading 'id')",
          frames: [{ function: 'onClick', filename: 'app.min.js', lineno: 1, colno: 2345, in_app: true }],
        },
      ],
    })
    // The group's first message names the exception of every occurrence.
    await errors.service.ingest(browserReport({ message: 'changed' }))
    expect((await errors.service.event(web.id, 2)).event!.exceptions![0]!.value).toBe(
      "Cannot read properties of undefined (reading 'id')",
    )
  })
})
