import { describe, expect, it } from 'vitest'
import { createBus } from './bus.js'

describe('in-process bus', () => {
  it('delivers to the subscribers of a channel until they unsubscribe', async () => {
    const bus = createBus()
    const a: unknown[] = []
    const b: unknown[] = []
    const offA = bus.subscribe('logs', (m) => a.push(m))
    bus.subscribe('logs', (m) => b.push(m))
    bus.subscribe('other', () => {
      throw new Error('wrong channel')
    })
    await bus.publish('logs', { n: 1 })
    offA()
    await bus.publish('logs', { n: 2 })
    expect(a).toEqual([{ n: 1 }])
    expect(b).toEqual([{ n: 1 }, { n: 2 }])
    await bus.close()
  })

  it('keeps delivering when one subscriber throws', async () => {
    const bus = createBus()
    const got: unknown[] = []
    bus.subscribe('c', () => {
      throw new Error('bad subscriber')
    })
    bus.subscribe('c', (m) => got.push(m))
    await bus.publish('c', 'x')
    expect(got).toEqual(['x'])
  })
})
