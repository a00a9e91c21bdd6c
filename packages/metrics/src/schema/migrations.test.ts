import { migrate } from '@monlight/core'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createMetrics } from '../index.js'
import { addValue, createSketch, encodeSketch } from '../service/sketch.js'
import { migrations } from './migrations.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 0, 20, 22, 0, 0) // two hours before midnight: the rollups span two days

describeDialects('metrics migration 0002', (dialect) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
  })
  afterAll(() => database.destroy())

  it('fills day and whole-metric rollups from the rollups a 0001 database holds', async () => {
    const first = { '0001_series_raw_rollups': migrations['0001_series_raw_rollups']! }
    await migrate(database.db, { module: 'metrics', migrations: first, dialect: database.dialect })
    const series = await database.db
      .insertInto('monlight_metrics_series')
      .values(
        ['a', 'b'].map((host) => ({
          series_key: host,
          name: 'latency',
          type: 'histogram',
          project: '',
          labels: JSON.stringify({ host }),
          created_at: T0,
        })),
      )
      .returning('id')
      .execute()
    // Four hours per series, one value v each: series a holds 1..4, series b holds 11..14.
    const rollups = series.flatMap(({ id }, s) =>
      [0, 1, 2, 3].map((h) => {
        const value = s * 10 + h + 1
        const sketch = createSketch()
        addValue(sketch, value)
        return {
          series_id: Number(id),
          resolution: 'hour',
          bucket: T0 + h * HOUR,
          count: 1,
          sum: value,
          min: value,
          max: value,
          last: value,
          last_ts: T0 + h * HOUR,
          sketch: encodeSketch(sketch),
        }
      }),
    )
    await database.db.insertInto('monlight_metrics_rollup').values(rollups).execute()
    // Raw points of series a: two aggregated already (minute 10:01), two not yet (minute 10:02).
    const a = Number(series[0]!.id)
    const minute = (m: number) => T0 + 5 * HOUR + m * 60_000
    await database.db
      .insertInto('monlight_metrics_raw')
      .values([
        { series_id: a, ts: minute(1), value: 1, count: 1, received_at: minute(1) },
        { series_id: a, ts: minute(1) + 1, value: 2, count: 1, received_at: minute(1) },
        { series_id: a, ts: minute(2), value: 30, count: 1, received_at: minute(2) },
        { series_id: a, ts: minute(2) + 1, value: 40, count: 2, received_at: minute(2) },
      ])
      .execute()
    const watermark = database.dialect === 'sqlite' ? 2 : minute(1)
    await database.db
      .insertInto('monlight_metrics_state')
      .values({ key: 'aggregated_through', value: watermark })
      .execute()

    const clock = { now: T0 + 6 * HOUR }
    const metrics = createMetrics({ database, apiKeys: false, now: () => clock.now })
    await metrics.migrate()
    const days = await database.db
      .selectFrom('monlight_metrics_rollup')
      .select(['series_id', 'bucket', 'count', 'sum'])
      .where('resolution', '=', 'day')
      .orderBy(['series_id', 'bucket'])
      .execute()
    expect(days.map((d) => [Number(d.bucket) - T0, Number(d.count), Number(d.sum)])).toEqual([
      [-22 * HOUR, 2, 3], // a: 22:00 and 23:00 of the first day
      [2 * HOUR, 2, 7],
      [-22 * HOUR, 2, 23],
      [2 * HOUR, 2, 27],
    ])
    const hourly = await metrics.service.query({ name: 'latency', period: '8h', resolution: 'hour' })
    expect(hourly.data).toEqual(
      [0, 1, 2, 3].map((h) =>
        expect.objectContaining({ count: 2, sum: 2 * h + 12, min: h + 1, max: h + 11 }),
      ),
    )
    const dashboard = (await metrics.service.dashboard({ period: '7d' })) as any
    expect(dashboard.summary).toEqual({ total_datapoints: 8, distinct_metrics: 1 })

    // The raw points, now in chunks: only those not aggregated yet are, and new points follow them.
    await metrics.service.ingest([
      { name: 'latency', type: 'histogram', value: 5, labels: { host: 'a' }, timestamp: minute(3) },
    ])
    clock.now += 5000 // past PostgreSQL's arrival grace
    await metrics.service.aggregate()
    const minutes = await metrics.service.query({ name: 'latency', period: '2h', resolution: 'minute' })
    expect(
      (minutes.data as { bucket: string; count: number; sum: number }[]).map((b) => [
        b.bucket,
        b.count,
        b.sum,
      ]),
    ).toEqual([
      ['2026-01-21T03:02:00Z', 3, 110],
      ['2026-01-21T03:03:00Z', 1, 5],
    ])
  })

  it('keeps counting raw ids after the old table when its points are all gone', async () => {
    const fresh = await createTestDatabase(dialect)
    try {
      const first = { '0001_series_raw_rollups': migrations['0001_series_raw_rollups']! }
      await migrate(fresh.db, { module: 'metrics', migrations: first, dialect: fresh.dialect })
      const old = Array.from({ length: 50 }, (_, i) => ({
        series_id: 1,
        ts: T0 + i,
        value: 1,
        count: 1,
        received_at: T0,
      }))
      await fresh.db.insertInto('monlight_metrics_raw').values(old).execute()
      await fresh.db.deleteFrom('monlight_metrics_raw').execute() // aggregated, then expired
      const watermark = fresh.dialect === 'sqlite' ? 50 : T0
      await fresh.db
        .insertInto('monlight_metrics_state')
        .values({ key: 'aggregated_through', value: watermark })
        .execute()
      const clock = { now: T0 + HOUR }
      const metrics = createMetrics({ database: fresh, apiKeys: false, now: () => clock.now })
      await metrics.migrate()
      await metrics.service.ingest([{ name: 'after', type: 'counter', value: 2 }])
      clock.now += 5000
      expect(await metrics.service.aggregate()).toMatchObject({ minutes: 1, hours: 1, days: 1 })
    } finally {
      await fresh.destroy()
    }
  })
})
