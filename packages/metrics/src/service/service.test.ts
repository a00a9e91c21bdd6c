import { describeDialects, seededRandom } from '@monlight/test-utils'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createHarness, exactPercentile, type Harness, point, T0 } from '../__fixtures__/harness.js'
import { createMetrics } from '../index.js'

const MIN = 60_000
const HOUR = 3_600_000
const rows = (harness: Harness) =>
  harness.database.db
    .selectFrom('monlight_metrics_rollup')
    .selectAll()
    .orderBy('series_id')
    .orderBy('resolution')
    .orderBy('bucket')
    .execute()

const metricRows = (harness: Harness) =>
  harness.database.db
    .selectFrom('monlight_metrics_metric_rollup')
    .selectAll()
    .orderBy(['name', 'resolution', 'bucket'])
    .execute()

describeDialects('metrics service', (dialect) => {
  let harness: Harness
  beforeAll(async () => {
    harness = await createHarness(dialect, {
      retention: {
        rawHours: 1,
        minuteHours: 24,
        hourlyDays: 30,
        overrides: { short_lived: { hourlyDays: 1 } },
      },
    })
  })
  afterAll(() => harness.close())
  beforeEach(() => harness.reset())

  it('rejects invalid batches with upstream messages and stores nothing', async () => {
    const { service } = harness
    const cases: [unknown, string][] = [
      [[], 'Metrics array must not be empty'],
      [Array.from({ length: 1001 }, () => point('a', 1)), 'Metrics batch exceeds maximum of 1000 items'],
      [[5], 'Each metric must be a JSON object'],
      [[{ type: 'counter', value: 1 }], 'Missing required field: name'],
      [[{ name: 7, type: 'counter', value: 1 }], 'Missing required field: name'],
      [[{ name: 'x'.repeat(201), type: 'counter', value: 1 }], "Field 'name' must be 1-200 characters"],
      [[{ name: 'a', value: 1 }], 'Missing required field: type'],
      [[{ name: 'a', type: 'summary', value: 1 }], "Field 'type' must be 'counter', 'histogram', or 'gauge'"],
      [[{ name: 'a', type: 'gauge', value: '1' }], 'Missing required field: value'],
      [[point('ok', 1), { name: 'a', type: 'gauge' }], 'Missing required field: value'],
      [[point('a', 1, { timestamp: 'yesterday' })], "Field 'timestamp' of metric 0 must be an ISO 8601"],
      [
        [point('a', 1, { timestamp: T0 + 2 * 86_400_000 })],
        "Field 'timestamp' of metric 0 is more than 24 hours",
      ],
      [[point('a', 1, { labels: [1] as never })], "Field 'labels' of metric 0 must be an object"],
      [[point('a', 1, { project: 5 as never })], "Field 'project' of metric 0 must be a string"],
      [
        [point('a', 1, { type: 'counter', count: 3 } as never)],
        "Field 'count' of metric 0 applies to histograms only",
      ],
      [[point('a', 1, { count: 0 })], "Field 'count' of metric 0 must be an integer from 1"],
      [[point('a', 1, { count: 1.5 })], "Field 'count' of metric 0 must be an integer from 1"],
    ]
    for (const [batch, message] of cases) {
      await expect(service.ingest(batch as never), message).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining(message),
      })
    }
    expect((await service.names()).metrics).toEqual([])
  })

  it('normalises labels, timestamps and projects into one series catalog', async () => {
    const { service } = harness
    const result = await service.ingest([
      { name: 'req', type: 'counter', value: 1, labels: { status: 200, method: 'GET' }, project: 'shop' },
      {
        name: 'req',
        type: 'counter',
        value: 1,
        labels: { method: 'GET', status: '200' },
        project: 'shop',
        timestamp: '2026-01-20T09:59:30.123Z',
      },
      {
        name: 'req',
        type: 'counter',
        value: 1,
        labels: { method: 'GET', status: '200', session_id: 'abc' },
        project: 'shop',
        timestamp: T0 - 5000,
      },
      { name: 'temp', type: 'gauge', value: 21.5, timestamp: '2026-01-20T09:59:59' },
    ])
    expect(result).toEqual({ count: 4 })
    const series = await harness.database.db
      .selectFrom('monlight_metrics_series')
      .selectAll()
      .orderBy('name')
      .execute()
    expect(series.map((s) => [s.name, s.labels, s.project, Number(s.total_count)])).toEqual([
      ['req', '{"method":"GET","status":"200"}', 'shop', 3],
      ['temp', '{}', '', 1],
    ])
    expect((await service.names()).metrics).toEqual([
      { name: 'req', type: 'counter' },
      { name: 'temp', type: 'gauge' },
    ])
    expect((await service.names('shop')).metrics).toEqual([{ name: 'req', type: 'counter' }])
    expect(await service.projects()).toEqual({ projects: ['shop'] })
    expect(await service.labels('req')).toEqual({ name: 'req', labels: { method: ['GET'], status: ['200'] } })
  })

  it('aggregates idempotently: repeated and concurrent runs write identical rows', async () => {
    const { service, clock } = harness
    await service.ingest(
      Array.from({ length: 300 }, (_, i) => point('latency', (i % 50) + 1, { timestamp: T0 + i * 1000 })),
    )
    clock.now = T0 + 6 * MIN
    await service.aggregate()
    const first = await rows(harness)
    expect(first.filter((r) => r.resolution === 'minute')).toHaveLength(5)
    expect(first.filter((r) => r.resolution === 'hour')).toHaveLength(1)
    const firstMetric = await metricRows(harness)
    expect(firstMetric.map((r) => [r.resolution, Number(r.count)])).toEqual([
      ['hour', 300],
      ...Array.from({ length: 5 }, () => ['minute', 60]),
    ])
    await harness.database.db.deleteFrom('monlight_metrics_state').execute()
    await Promise.all([service.aggregate(), service.aggregate()])
    expect(await rows(harness)).toEqual(first)
    expect(await metricRows(harness)).toEqual(firstMetric)
    clock.now += 10 * MIN
    await service.aggregate()
    expect(await rows(harness)).toEqual(first)
    expect(await metricRows(harness)).toEqual(firstMetric)
  })

  it('gives identical rollups when two instances on one database aggregate at once', async () => {
    const { service, clock } = harness
    const other = createMetrics({ database: harness.database, apiKeys: false, now: () => clock.now })
    for (let m = 0; m < 5; m++) {
      await service.ingest([
        point('shared', m + 1, { timestamp: T0 + m * MIN }),
        point('shared', 10, { timestamp: T0 + m * MIN + 1 }),
      ])
      await other.service!.ingest([point('shared', 100, { timestamp: T0 + m * MIN + 2 })])
    }
    clock.now = T0 + 10 * MIN
    await Promise.all([service.aggregate(), other.service!.aggregate(), service.aggregate()])
    const first = await rows(harness)
    const firstMetric = await metricRows(harness)
    expect(firstMetric.filter((r) => r.resolution === 'hour').map((r) => Number(r.count))).toEqual([15])
    await harness.database.db.deleteFrom('monlight_metrics_state').execute()
    await other.service!.aggregate()
    expect(await rows(harness)).toEqual(first)
    expect(await metricRows(harness)).toEqual(firstMetric)
    expect(first.filter((r) => r.resolution === 'minute').map((r) => Number(r.count))).toEqual([
      3, 3, 3, 3, 3,
    ])
  })

  it('catches up on missed minutes and re-aggregates late data', async () => {
    const { service, clock } = harness
    for (let m = 0; m < 30; m++) {
      clock.now = T0 + m * MIN + 1000
      await service.ingest([point('jobs', 1, { type: 'counter' }), point('jobs', 2, { type: 'counter' })])
    }
    clock.now = T0 + 31 * MIN
    await service.aggregate()
    let result = await service.query({ name: 'jobs', period: '1h', resolution: 'minute' })
    expect(result.data).toHaveLength(30)
    expect((result.data as { sum: number }[]).every((b) => b.sum === 3)).toBe(true)

    // A batch for minute 3 arrives late: that minute and its hour are recomputed.
    await service.ingest([point('jobs', 10, { type: 'counter', timestamp: T0 + 3 * MIN + 5000 })])
    clock.now += 5000
    await service.aggregate()
    result = await service.query({ name: 'jobs', period: '1h', resolution: 'minute' })
    expect((result.data as { sum: number }[])[3]).toMatchObject({
      bucket: '2026-01-20T10:03:00Z',
      sum: 13,
      count: 3,
    })
    const hour = await service.query({ name: 'jobs', period: '2h', resolution: 'hour' })
    expect(hour.data).toEqual([
      expect.objectContaining({ bucket: '2026-01-20T10:00:00Z', count: 61, sum: 100, rate: 0.027778 }),
    ])
  })

  it('merges points later than the raw retention into their rollups exactly once', async () => {
    const { service, clock } = harness
    await service.ingest([
      point('old', 1, { timestamp: T0 + 1000 }),
      point('old', 3, { timestamp: T0 + 2000 }),
    ])
    clock.now = T0 + 2 * MIN
    await service.aggregate()
    clock.now = T0 + 3 * HOUR
    expect((await service.applyRetention()).raw).toBe(2)
    await service.ingest([point('old', 8, { timestamp: T0 + 3000 })])
    clock.now += 5000
    await service.aggregate()
    await service.aggregate()
    const query = { name: 'old', period: '4h', resolution: 'minute' }
    expect((await service.query(query)).data).toEqual([
      expect.objectContaining({ count: 3, sum: 12, max: 8, last: 8 }),
    ])
    const hour = await service.query({ ...query, resolution: 'hour' })
    expect(hour.data).toEqual([expect.objectContaining({ count: 3, sum: 12, p50: expect.closeTo(3, 1) })])
  })

  it('keeps percentiles within 1 % of the exact values at minute and hour resolution', async () => {
    const { service, clock } = harness
    const random = seededRandom(42)
    const all: number[] = []
    const byMinute: number[][] = []
    for (let m = 0; m < 60; m++) {
      const values = Array.from(
        { length: 200 },
        () => Math.exp(random() * 5 - 6) * (random() < 0.05 ? 20 : 1),
      )
      byMinute.push(values)
      all.push(...values)
      await service.ingest(values.map((v, i) => point('duration', v, { timestamp: T0 + m * MIN + i * 250 })))
    }
    clock.now = T0 + HOUR + MIN
    await service.aggregate()
    const minute = (await service.query({ name: 'duration', period: '2h', resolution: 'minute' }))
      .data as Record<string, number>[]
    expect(minute).toHaveLength(60)
    const within = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact
    for (let m = 0; m < 60; m++) {
      for (const [key, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        expect(within(minute[m]![key]!, exactPercentile(byMinute[m]!, q))).toBeLessThanOrEqual(0.01)
      }
    }
    const [hour] = (await service.query({ name: 'duration', period: '2h', resolution: 'hour' }))
      .data as Record<string, number>[]
    expect(hour!.count).toBe(12_000)
    for (const [key, q] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      expect(within(hour![key]!, exactPercentile(all, q))).toBeLessThanOrEqual(0.01)
    }
  })

  it('keeps whole-metric and day rollups true to the raw values through late data and retention', async () => {
    const { service, clock } = harness
    const random = seededRandom(7)
    const raw: { page: string; ts: number; value: number }[] = []
    const send = async (from: number, to: number) => {
      const batch = []
      for (let ts = from; ts < to; ts += 10 * MIN) {
        for (const page of ['/a', '/b']) {
          const value = 500 + random() * 4000
          raw.push({ page, ts, value })
          batch.push(point('web_vitals_lcp', value, { labels: { page, source: 'browser' }, timestamp: ts }))
        }
      }
      for (let i = 0; i < batch.length; i += 1000) await service.ingest(batch.slice(i, i + 1000))
    }
    // Three days, aggregated and trimmed (raw after an hour, minutes after a day) as they go.
    for (let day = 0; day < 3; day++) {
      await send(T0 + day * 24 * HOUR, T0 + (day + 1) * 24 * HOUR)
      clock.now = T0 + (day + 1) * 24 * HOUR + MIN
      await service.aggregate()
      await service.applyRetention()
    }
    // Late points for the first day, long after its raw points and minutes expired.
    await send(T0 + 5 * HOUR + 1000, T0 + 6 * HOUR)
    clock.now += 5000
    await service.aggregate()

    const exact = (values: number[], q: number) => exactPercentile(values, q)
    const close = (estimate: number, wanted: number) => Math.abs(estimate - wanted) / wanted
    const hourly = (await service.query({ name: 'web_vitals_lcp', period: '7d', resolution: 'hour' }))
      .data as Record<string, number | string>[]
    expect(hourly).toHaveLength(3 * 24)
    for (const bucket of hourly) {
      const start = Date.parse(bucket.bucket as string)
      const values = raw.filter((r) => r.ts >= start && r.ts < start + HOUR).map((r) => r.value)
      expect(bucket.count).toBe(values.length)
      expect(close(bucket.p95 as number, exact(values, 0.95))).toBeLessThanOrEqual(0.01)
    }
    const dashboard = (await service.dashboard({ period: '7d' })) as any
    expect(dashboard.web_vitals.summary.lcp.count).toBe(raw.length)
    for (const { page, lcp, page_views } of dashboard.web_vitals.by_page) {
      const values = raw.filter((r) => r.page === page).map((r) => r.value)
      expect(page_views).toBe(values.length)
      expect(close(lcp, exact(values, 0.75))).toBeLessThanOrEqual(0.01)
    }
  })

  it('gives Web Vitals by page for the same hours as the summary when the period outlasts the retention', async () => {
    const { service, clock } = harness
    // 32 days of hourly page views on two pages; hours are kept 30 days.
    for (let day = 0; day < 32; day++) {
      const batch = []
      for (let h = 0; h < 24; h++) {
        for (const page of ['/a', '/b'])
          batch.push(
            point('web_vitals_lcp', 1000 + h * 10, {
              labels: { page },
              timestamp: T0 + (day * 24 + h) * HOUR,
            }),
          )
      }
      clock.now = T0 + (day + 1) * 24 * HOUR + MIN
      await service.ingest(batch)
      clock.now += 5000
      await service.aggregate()
    }
    await service.applyRetention()
    const dashboard = (await service.dashboard({ period: '60d' })) as any
    const views = dashboard.web_vitals.by_page.map((p: { page_views: number }) => p.page_views)
    expect(views[0] + views[1]).toBe(dashboard.web_vitals.summary.lcp.count)
    expect(dashboard.web_vitals.summary.lcp.count).toBeLessThan(32 * 48)
  })

  it('counts a pre-aggregated histogram point (`count`) as that many observations', async () => {
    const { service, clock } = harness
    await service.ingest([
      point('latency', 0.2, { timestamp: T0, count: 90 }),
      point('latency', 2, { timestamp: T0 + 1000, count: 10 }),
    ])
    clock.now = T0 + 2 * MIN
    await service.aggregate()
    const [bucket] = (await service.query({ name: 'latency', period: '1h', resolution: 'minute' }))
      .data as Record<string, number>[]
    expect(bucket).toMatchObject({ count: 100, min: 0.2, max: 2 })
    expect(bucket!.sum).toBeCloseTo(38, 6)
    expect(Math.abs(bucket!.p50! - 0.2) / 0.2).toBeLessThanOrEqual(0.01)
    expect(Math.abs(bucket!.p95! - 2) / 2).toBeLessThanOrEqual(0.01)
  })

  it('filters by label subset, groups by a label and merges series when unfiltered', async () => {
    const { service, clock } = harness
    const request = (method: string, status: string, value: number) =>
      point('http_request_duration_seconds', value, {
        labels: { method, status, endpoint: '/a' },
        timestamp: T0 + 1000,
      })
    await service.ingest([
      request('GET', '200', 0.1),
      request('GET', '500', 0.3),
      request('POST', '200', 0.2),
    ])
    clock.now = T0 + 2 * MIN
    await service.aggregate()
    const merged = await service.query({ name: 'http_request_duration_seconds', period: '1h' })
    expect(merged.data).toEqual([
      expect.objectContaining({ count: 3, sum: 0.6, min: 0.1, max: 0.3, avg: 0.2 }),
    ])
    const get = await service.query({
      name: 'http_request_duration_seconds',
      period: '1h',
      labels: 'method:GET',
    })
    expect(get.data).toEqual([expect.objectContaining({ count: 2, max: 0.3 })])
    const exact = await service.query({
      name: 'http_request_duration_seconds',
      labels: 'status:200,method:POST',
    })
    expect(exact.data).toEqual([expect.objectContaining({ count: 1, sum: 0.2 })])
    const grouped = await service.query({ name: 'http_request_duration_seconds', group_by: 'status' })
    expect(
      (grouped.series as { labels: unknown; data: { count: number }[] }[]).map((s) => [
        s.labels,
        s.data[0]!.count,
      ]),
    ).toEqual([
      [{ status: '200' }, 2],
      [{ status: '500' }, 1],
    ])
    await expect(service.query({ name: 'x', labels: 'nocolon' })).rejects.toThrow(
      "Invalid parameter 'labels'",
    )
    await expect(service.query({ name: 'x', period: '7w' })).rejects.toThrow("Invalid parameter 'period'")
    await expect(service.query({ name: 'x', resolution: 'day' })).rejects.toThrow(
      "Invalid parameter 'resolution'",
    )
    await expect(service.query({})).rejects.toThrow('Missing required parameter: name')
  })

  it('applies tiered retention with per-metric overrides and keeps the catalog', async () => {
    const { service, clock } = harness
    await service.ingest([point('kept', 1), point('short_lived', 1)])
    clock.now = T0 + 2 * MIN
    await service.aggregate()
    clock.now = T0 + 2 * HOUR
    expect(await service.applyRetention()).toEqual({ raw: 2, minute: 0, hour: 0, day: 0 })
    clock.now = T0 + 25 * HOUR
    // short_lived keeps hours (and days) for one day
    expect(await service.applyRetention()).toEqual({ raw: 0, minute: 2, hour: 1, day: 1 })
    clock.now = T0 + 31 * 24 * HOUR
    expect(await service.applyRetention()).toEqual({ raw: 0, minute: 0, hour: 1, day: 1 })
    expect((await service.names()).metrics.map((m) => m.name)).toEqual(['kept', 'short_lived'])
  })

  it('never deletes raw points aggregation has not read', async () => {
    const { service, clock } = harness
    await service.ingest([point('pending', 1)])
    clock.now = T0 + 3 * HOUR
    expect((await service.applyRetention()).raw).toBe(0)
    await service.aggregate()
    expect((await service.query({ name: 'pending', period: '4h', resolution: 'hour' })).data).toHaveLength(1)
  })

  it('builds the dashboard from rollups: summary, top metrics, HTTP figures and Web Vitals on p75', async () => {
    const { service, clock } = harness
    const at = T0 + 1000
    const http = []
    for (let i = 0; i < 100; i++) {
      const status = i < 10 ? '500' : '200'
      http.push({
        name: 'http_requests_total',
        type: 'counter' as const,
        value: 1,
        labels: { status },
        timestamp: at,
      })
      http.push(point('http_request_duration_seconds', (i + 1) / 100, { labels: { status }, timestamp: at }))
    }
    const vitals = [1000, 2000, 3000, 5000].map((lcp, i) =>
      point('web_vitals_lcp', lcp, {
        labels: { page: i < 2 ? '/home' : '/cart', source: 'browser' },
        timestamp: at,
      }),
    )
    vitals.push(point('web_vitals_cls', 0.05, { labels: { page: '/home' }, timestamp: at }))
    await service.ingest([...http, ...vitals])
    clock.now = T0 + 2 * MIN
    await service.aggregate()
    const dashboard = (await service.dashboard({ period: '1h' })) as any
    expect(dashboard.summary).toEqual({ total_datapoints: 205, distinct_metrics: 4 })
    expect(dashboard.top_metrics[0]).toMatchObject({ count: 100 })
    expect(dashboard.http).toMatchObject({ requests: 100, error_rate: 0.1 })
    expect(dashboard.http.p50).toBeCloseTo(0.5, 2)
    expect(dashboard.http.p99).toBeCloseTo(0.99, 2)
    expect(dashboard.http.timeseries).toEqual([
      expect.objectContaining({ bucket: '2026-01-20T10:00:00Z', request_rate: 1.6667, error_rate: 0.1 }),
    ])
    const lcp = dashboard.web_vitals.summary.lcp
    expect(lcp).toMatchObject({ avg: 2750, count: 4, rating: 'needs-improvement' })
    expect(lcp.p75).toBeCloseTo(3000, -1)
    expect(dashboard.web_vitals.summary.cls).toMatchObject({ count: 1, rating: 'good' })
    expect(dashboard.web_vitals.summary.inp).toEqual({ avg: null, p75: null, count: 0, rating: 'unknown' })
    expect(dashboard.web_vitals.by_page.map((p: any) => [p.page, p.page_views])).toEqual([
      ['/cart', 2],
      ['/home', 2],
    ])
    expect(dashboard.web_vitals.timeseries).toHaveLength(1)
    const empty = (await service.dashboard({ period: '1h', project: 'none' })) as any
    expect(empty.web_vitals).toBeUndefined()
    expect(empty.summary.total_datapoints).toBe(0)
  })

  it('health says when aggregation last ran (aggregated_at) beside the newest bucket (last_aggregation)', async () => {
    const { service, clock } = harness
    expect(await service.health()).toMatchObject({ last_aggregation: null, aggregated_at: null })
    await service.ingest([{ name: 'jobs_total', type: 'counter', value: 1 }])
    clock.now += 2 * MIN
    await service.aggregate()
    const first = await service.health()
    expect(first.aggregated_at).toBe(new Date(clock.now).toISOString())
    expect(first.last_aggregation).not.toBeNull()
    // A run with nothing new still counts as a run.
    clock.now += 5 * MIN
    await service.aggregate()
    expect((await service.health()).aggregated_at).toBe(new Date(clock.now).toISOString())
    expect((await service.health()).last_aggregation).toBe(first.last_aggregation)
  })

  it('exposes current series in the Prometheus text format', async () => {
    const { service, clock } = harness
    await service.ingest([
      { name: 'http_requests_total', type: 'counter', value: 2, labels: { path: '/a"b' } },
      { name: 'http_requests_total', type: 'counter', value: 3, labels: { path: '/a"b' } },
      { name: 'queue.depth', type: 'gauge', value: 7, project: 'p1' },
      point('job_seconds', 1.5),
    ])
    clock.now += 2 * MIN
    await service.aggregate()
    const text = await service.prometheus()
    expect(text).toContain('# TYPE http_requests_total counter\nhttp_requests_total{path="/a\\"b"} 5\n')
    expect(text).toContain('# TYPE queue_depth gauge\nqueue_depth{project="p1"} 7\n')
    expect(text).toContain('# TYPE job_seconds histogram\n')
    expect(text).toContain('job_seconds_bucket{le="1"} 0\njob_seconds_bucket{le="2.5"} 1\n')
    expect(text).toContain('job_seconds_bucket{le="+Inf"} 1\njob_seconds_sum 1.5\njob_seconds_count 1\n')
    expect(text.endsWith('\n')).toBe(true)
  })

  it('exposes histograms as cumulative buckets that count each point once, late ones included', async () => {
    const { service, clock } = harness
    const observe = (values: number[], labels = { route: '/a' }) =>
      service.ingest(
        values.map((value) => ({ name: 'latency_ms', type: 'histogram' as const, value, labels })),
      )
    await observe([0.0005, 3, 3, 40, 250_000])
    clock.now += 2 * MIN
    await service.aggregate()
    await service.aggregate() // a run with nothing new adds nothing
    // A late point for a minute already aggregated, and a second series.
    await service.ingest([
      {
        name: 'latency_ms',
        type: 'histogram',
        value: 7,
        labels: { route: '/a' },
        timestamp: clock.now - 2 * MIN,
      },
    ])
    await observe([1], { route: '/b' })
    clock.now += 2 * MIN
    await service.aggregate()
    const text = await service.prometheus()
    const bucket = (route: string, le: string) =>
      Number(
        new RegExp(
          `^latency_ms_bucket\\{route="${route}",le="${le.replace('+', '\\+')}"\\} (\\S+)$`,
          'm',
        ).exec(text)?.[1],
      )
    expect([bucket('/a', '0.001'), bucket('/a', '5'), bucket('/a', '10'), bucket('/a', '50')]).toEqual([
      1, 3, 4, 5,
    ])
    expect([bucket('/a', '100000'), bucket('/a', '+Inf')]).toEqual([5, 6])
    expect(text).toContain('latency_ms_count{route="/a"} 6\n')
    expect([bucket('/b', '0.5'), bucket('/b', '1'), bucket('/b', '+Inf')]).toEqual([0, 1, 1])
    // The bounds never change, so every scrape has the same 26 series per histogram.
    expect(text.match(/^latency_ms_bucket\{route="\/a"/gm)).toHaveLength(26)
  })

  it('escapes HELP text, prints a series once when names or labels sanitise alike, and no NaN before aggregation', async () => {
    const { service } = harness
    await service.ingest([
      { name: 'api.calls\\x', type: 'counter', value: 1, labels: { 'a.b': '1' } },
      { name: 'api_calls\\x', type: 'counter', value: 2, labels: { a_b: '1' } },
      { name: 'fresh_seconds', type: 'histogram', value: 0.2 },
    ])
    const text = await service.prometheus()
    expect(text).toContain('# HELP api_calls_x api.calls\\\\x (Monlight counter)\n')
    expect(text.match(/^api_calls_x\{a_b="1"\} /gm)).toHaveLength(1)
    expect(text.match(/^# TYPE api_calls_x /gm)).toHaveLength(1)
    expect(text).not.toContain('NaN')
    // Buckets count what aggregation has read: nothing yet, and `_count` agrees with `+Inf`.
    expect(text).toContain(
      'fresh_seconds_bucket{le="+Inf"} 0\nfresh_seconds_sum 0.2\nfresh_seconds_count 0\n',
    )
  })

  it('buffers record() and the helpers until flushed', async () => {
    const { service } = harness
    service.counter('signups')
    service.gauge('queue', 3, { name: 'mail' })
    service.histogram('job_seconds', 0.25)
    expect(() => service.record({ name: '', type: 'counter', value: 1 })).toThrow(
      "Field 'name' must be 1-200 characters",
    )
    await service.flush()
    expect((await service.names()).metrics.map((m) => m.name)).toEqual(['job_seconds', 'queue', 'signups'])
  })
})
