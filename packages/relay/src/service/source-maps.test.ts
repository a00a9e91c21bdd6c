import { silentLogger } from '@monlight/core'
import { describe, expect, it, vi } from 'vitest'
import { createSourceMapCache } from './source-maps.js'

const MAP = JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA' })

describe('source map cache', () => {
  it('keeps at most `size` parsed maps and destroys evicted ones', async () => {
    const loads: number[] = []
    const cache = createSourceMapCache({
      size: 2,
      load: async (id) => {
        loads.push(id)
        return MAP
      },
      logger: silentLogger,
    })
    const consumers = new Map<number, { destroy(): void }>()
    const take = (id: number) =>
      cache.use(id, (consumer) => {
        consumers.set(id, consumer!)
        return consumer!.originalPositionFor({ line: 1, column: 0 }).source
      })
    expect(await take(1)).toBe('a.ts')
    await take(2)
    await take(1) // 1 is now the most recently used
    const destroy2 = vi.spyOn(consumers.get(2)!, 'destroy')
    const destroy1 = vi.spyOn(consumers.get(1)!, 'destroy')
    await take(3) // evicts 2
    await Promise.resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(destroy2).toHaveBeenCalledOnce()
    expect(destroy1).not.toHaveBeenCalled()
    expect(cache.size).toBe(2)
    expect(loads).toEqual([1, 2, 3])
    await take(1)
    expect(loads).toEqual([1, 2, 3])
  })

  it('does not destroy a map still in use when it is evicted', async () => {
    const cache = createSourceMapCache({ size: 1, load: async () => MAP, logger: silentLogger })
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let destroyed = false
    const first = cache.use(1, async (consumer) => {
      const original = consumer!.destroy.bind(consumer)
      consumer!.destroy = () => {
        destroyed = true
        original()
      }
      await held
      return consumer!.originalPositionFor({ line: 1, column: 0 }).source
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    await cache.use(2, () => undefined) // evicts 1 while it is in use
    expect(destroyed).toBe(false)
    release()
    // `use` counts the holder until its work returns (the promise here), then destroys.
    expect(await first).toBe('a.ts')
  })

  it('treats unparsable maps as missing', async () => {
    const cache = createSourceMapCache({
      size: 1,
      load: async () => '{"version":3,"sources":[],"mappings":"!!!"}',
      logger: silentLogger,
    })
    await expect(cache.use(1, (consumer) => consumer)).resolves.toBeDefined()
    const missing = createSourceMapCache({ size: 1, load: async () => undefined, logger: silentLogger })
    expect(await missing.use(1, (consumer) => consumer)).toBeUndefined()
  })
})
