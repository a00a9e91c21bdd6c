import { seededRandom } from '@monlight/test-utils'
import { describe, expect, it } from 'vitest'
import { exactPercentile } from '../__fixtures__/harness.js'
import {
  ACCURACY,
  addValue,
  createSketch,
  decodeSketch,
  encodeSketch,
  mergeInto,
  quantile,
} from './sketch.js'

describe('quantile sketch', () => {
  it('stays within its relative accuracy of the exact nearest-rank percentile', () => {
    const random = seededRandom(7)
    const values = Array.from(
      { length: 20_000 },
      () => Math.exp(random() * 8 - 4) * (random() < 0.1 ? 50 : 1),
    )
    const sketch = createSketch()
    for (const value of values) addValue(sketch, value)
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
      const exact = exactPercentile(values, q)
      expect(Math.abs(quantile(sketch, q)! - exact) / exact).toBeLessThanOrEqual(ACCURACY + 1e-12)
    }
  })

  it('merges to the same sketch as adding every value to one', () => {
    const a = createSketch()
    const b = createSketch()
    const all = createSketch()
    for (let i = 1; i <= 1000; i++) {
      addValue(i % 2 ? a : b, i / 7)
      addValue(all, i / 7)
    }
    mergeInto(a, b)
    expect(encodeSketch(a)).toBe(encodeSketch(all))
  })

  it('handles zero and negative values and round-trips through its encoding', () => {
    const sketch = createSketch()
    for (const value of [-5, -1, 0, 0, 2, 10]) addValue(sketch, value)
    const copy = decodeSketch(encodeSketch(sketch))
    expect(copy.count).toBe(6)
    expect(quantile(copy, 0)).toBeCloseTo(-5, 1)
    expect(quantile(copy, 0.5)).toBe(0)
    expect(quantile(copy, 1)).toBeCloseTo(10, 1)
    expect(decodeSketch('not json').count).toBe(0)
    expect(quantile(createSketch(), 0.5)).toBeUndefined()
  })
})
