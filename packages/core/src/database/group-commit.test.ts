import { describe, expect, it } from 'vitest'
import { groupCommit } from './group-commit.js'

describe('groupCommit', () => {
  it('writes what arrives during a write together next, and settles each caller after its commit', async () => {
    const calls: number[][] = []
    const write = groupCommit(async (items: number[]) => {
      calls.push(items)
      await new Promise((resolve) => setTimeout(resolve, 5))
      return items.map((item) => item * 10)
    })
    const results = await Promise.all([1, 2, 3, 4].map(write))
    expect(results).toEqual([10, 20, 30, 40])
    // The first starts alone; the three that queued behind it share the next write.
    expect(calls).toEqual([[1], [2, 3, 4]])
  })

  it('retries a failed group one by one, so only the failing item fails', async () => {
    const write = groupCommit(async (items: string[]) => {
      if (items.includes('bad')) throw new Error('constraint')
      return items.map((item) => item.toUpperCase())
    })
    const first = write('first')
    const results = await Promise.allSettled([first, write('a'), write('bad'), write('b')])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'FIRST',
      'A',
      'constraint',
      'B',
    ])
  })

  it('caps a group at maxItems and keeps going after a writer that throws synchronously', async () => {
    const sizes: number[] = []
    const write = groupCommit((items: number[]) => {
      sizes.push(items.length)
      if (items[0] === 0) throw new Error('sync')
      return Promise.resolve(items)
    }, 2)
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(write))
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ])
    expect(sizes).toEqual([1, 2, 2])
  })
})
