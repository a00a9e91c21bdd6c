import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js'

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

describe('nestsDeeperThan', () => {
  it('allows MAX_JSON_DEPTH levels of objects and arrays, not one more', () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false)
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true)
    expect(nestsDeeperThan({ wide: Array.from({ length: 10_000 }, (_, i) => ({ i })) })).toBe(false)
  })

  it('takes scalars as depth 0, and any depth without overflowing the stack', () => {
    for (const scalar of [null, 1, 'x', true, undefined]) expect(nestsDeeperThan(scalar)).toBe(false)
    expect(nestsDeeperThan(nested(100_000))).toBe(true)
    expect(nestsDeeperThan(nested(3), 3)).toBe(false)
    expect(nestsDeeperThan(nested(4), 3)).toBe(true)
  })
})
