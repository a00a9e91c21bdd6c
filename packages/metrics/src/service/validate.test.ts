import { describe, expect, it } from 'vitest'
import { canonicalLabels, validateBatch } from './validate.js'

describe('canonicalLabels', () => {
  it('answers a label set seen before from memory, the same whatever the order or value type', () => {
    const first = canonicalLabels({ status: 200, method: 'GET' })
    expect(first).toBe('{"method":"GET","status":"200"}')
    expect(canonicalLabels({ status: 200, method: 'GET' })).toBe(first)
    expect(canonicalLabels({ method: 'GET', status: '200' })).toBe(first)
    expect(canonicalLabels({ status: '200', method: 'GET', extra: true })).toBe(
      '{"extra":"true","method":"GET","status":"200"}',
    )
  })

  it('still rejects values that are not text after a valid set with the same keys', () => {
    canonicalLabels({ path: '/a' })
    expect(() => canonicalLabels({ path: { nested: 1 } })).toThrow("Label 'path' of metric 0")
    expect(() => canonicalLabels({ path: 'x'.repeat(501) })).toThrow("Label 'path' of metric 0")
  })

  it('keeps sets apart per ignored labels', () => {
    const ignored = new Set(['user'])
    expect(canonicalLabels({ user: 'u1', page: '/' }, 0, ignored)).toBe('{"page":"/"}')
    expect(canonicalLabels({ user: 'u1', page: '/' })).toBe('{"page":"/","user":"u1"}')
  })
})

describe('validateBatch', () => {
  it('refuses values whose rollup sums would overflow (PostgreSQL refuses infinity)', () => {
    expect(() => validateBatch([{ name: 'x', type: 'gauge', value: 1e308 }], Date.now())).toThrow(
      /at most 1e300/,
    )
    expect(validateBatch([{ name: 'x', type: 'gauge', value: 1e300 }], Date.now())).toHaveLength(1)
  })
})
