import { describe, expect, it } from 'vitest'
import {
  boundedLabels,
  bucketPoints,
  createCumulativeTracker,
  createSeriesBudget,
  explicitBuckets,
  forwardPoints,
  pointProblem,
} from './metric-points.js'

describe('cumulative tracker', () => {
  const T0 = 1_000_000
  const tracker = () => createCumulativeTracker({ maxSeries: 3, now: () => T0 })

  it('takes the first value of a series as a baseline, then answers increments', () => {
    const t = tracker()
    expect(t.increments('a', [10], T0 - 5_000)).toBeUndefined()
    expect(t.increments('a', [15], T0 - 5_000)).toEqual([5])
    expect(t.increments('a', [15], T0 - 5_000)).toEqual([0])
  })

  it('counts a series that started after it began in full', () => {
    expect(tracker().increments('a', [7, 1], T0 + 1)).toEqual([7, 1])
  })

  it('sees a reset in a decrease, a new start time or a new bucket layout', () => {
    const t = tracker()
    t.increments('a', [10], undefined)
    expect(t.increments('a', [3], undefined)).toEqual([3])
    t.increments('b', [10, 20], T0 - 1)
    expect(t.increments('b', [12, 25], T0 + 50)).toEqual([12, 25])
    expect(t.increments('b', [1, 2, 3], T0 + 50)).toEqual([1, 2, 3])
  })

  it('forgets the least recently used series beyond its size', () => {
    const t = tracker()
    for (const key of ['a', 'b', 'c']) t.increments(key, [1], undefined)
    t.increments('a', [2], undefined) // a is now the most recent
    t.increments('d', [1], undefined) // b goes
    expect(t.size).toBe(3)
    expect(t.increments('a', [3], undefined)).toEqual([1])
    expect(t.increments('b', [5], undefined)).toBeUndefined()
  })
})

describe('histogram buckets', () => {
  it('places each bucket at its midpoint and the open ones at their bound', () => {
    const buckets = explicitBuckets([10, 20, 50], [1, 2, 0, 4])
    expect(buckets).toEqual([
      { lower: -Infinity, upper: 10, count: 1 },
      { lower: 10, upper: 20, count: 2 },
      { lower: 20, upper: 50, count: 0 },
      { lower: 50, upper: Infinity, count: 4 },
    ])
    expect(bucketPoints(buckets)).toEqual([
      { value: 10, count: 1 },
      { value: 15, count: 2 },
      { value: 50, count: 4 },
    ])
  })

  it('uses min and max for the open buckets and clamps into them', () => {
    const points = bucketPoints(explicitBuckets([10, 20], [1, 2, 3]), { min: 4, max: 30 })
    expect(points).toEqual([
      { value: 7, count: 1 },
      { value: 15, count: 2 },
      { value: 25, count: 3 },
    ])
  })

  it('drops empty, negative and non-finite counts, and a bucket with no bound at all', () => {
    expect(bucketPoints(explicitBuckets([], [5]))).toEqual([])
    expect(bucketPoints(explicitBuckets([1], [-1, Number.NaN]))).toEqual([])
  })
})

describe('store limits', () => {
  it('bounds labels deterministically', () => {
    const many = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']),
    )
    const bounded = boundedLabels({ ...many, ['x'.repeat(101)]: 'long key', long: 'y'.repeat(600) })
    expect(Object.keys(bounded)).toHaveLength(32)
    expect(Object.keys(bounded)[0]).toBe('k00')
    expect(boundedLabels({ long: 'y'.repeat(600) }).long).toHaveLength(500)
  })

  it('names what the store would refuse', () => {
    expect(pointProblem('ok', 1)).toBeUndefined()
    expect(pointProblem('', 1)).toMatch(/name/)
    expect(pointProblem('x'.repeat(201), 1)).toMatch(/name/)
    expect(pointProblem('m', Number.NaN)).toMatch(/finite/)
    expect(pointProblem('m', Infinity)).toMatch(/finite/)
    expect(pointProblem('m', 1e301)).toMatch(/finite/)
  })
})

describe('series budget', () => {
  it('refuses new series of a metric beyond its limit, and says which metric', async () => {
    const sent: unknown[][] = []
    const forwarder = {
      metrics: async (points: unknown[]) => void sent.push(points),
    } as unknown as Parameters<typeof forwardPoints>[0]
    const budget = createSeriesBudget({ maxPerMetric: 100, maxMetrics: 10 })
    const points = Array.from({ length: 2_500 }, (_, i) => ({
      name: i % 2 ? 'users' : 'ok',
      type: 'gauge' as const,
      value: 1,
      labels: i % 2 ? { user_id: String(i) } : { route: String(i % 10) },
    }))
    const outcome = await forwardPoints(forwarder, points, budget)
    expect(outcome.rejected).toBe(1_250 - 100)
    expect(outcome.message).toMatch(/users already has 100 series/)
    expect(sent.map((batch) => batch.length)).toEqual([1000, 350])
    // A series seen before still passes.
    expect(budget.admit('users', { user_id: '1' })).toBe(true)
    expect(budget.admit('users', { user_id: 'new' })).toBe(false)
  })
})
