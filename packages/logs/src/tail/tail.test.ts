import { createBus, createDatabase } from '@monlight/core'
import { createTestSchema, dropTestSchema, postgresUrl } from '@monlight/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogs, type LogsModule } from '../index.js'
import { readStream } from './__fixtures__/sse.js'
import { createTailHub, PRESENCE_CHANNEL, TAIL_CHANNEL } from './hub.js'

const tail = (logs: LogsModule, query = '') => logs.fetch(new Request(`http://x/api/logs/tail${query}`))

describe('live tail fan-out', () => {
  it('delivers each entry to every matching subscriber and cuts off a reader that does not keep up', async () => {
    const database = await createDatabase({ sqlite: ':memory:' })
    const logs = createLogs({ database, apiKeys: false, tail: { maxQueuedEvents: 5 } })
    await logs.migrate()
    const readers = await Promise.all([tail(logs), tail(logs), tail(logs, '?level=ERROR')])
    const slow = await tail(logs)
    const texts = Promise.all(
      readers.map((r, i) => readStream(r, (t) => t.split('event: log').length - 1 >= (i === 2 ? 1 : 3))),
    )
    await logs.write([{ message: 'one' }, { message: 'ERROR: two' }, { message: 'three' }])
    const [a, b, errorsOnly] = await texts
    for (const text of [a!, b!])
      expect(text.match(/"message":"[^"]+"/g)).toEqual([
        '"message":"one"',
        '"message":"ERROR: two"',
        '"message":"three"',
      ])
    expect(errorsOnly!.match(/"message":"[^"]+"/g)).toEqual(['"message":"ERROR: two"'])

    // Nobody reads `slow`: ingestion goes on, its queue stays bounded, and it is closed with a reason.
    for (let i = 0; i < 20; i++) await logs.write([{ message: `burst ${i}` }])
    const text = await readStream(slow, (t) => t.includes('event: close'))
    expect(text).toContain('event: close\ndata: {"reason":"too_slow"}')
    expect(text.split('event: log').length - 1).toBeLessThanOrEqual(10)
    await database.destroy()
  })
})

describe('live tail across instances, as one instance sees it', () => {
  it('publishes entries only while some instance has announced subscribers', async () => {
    const bus = createBus()
    const published: unknown[] = []
    bus.subscribe(TAIL_CHANNEL, (pack) => published.push(pack))
    const hub = createTailHub(bus, { maxSubscribers: 10 })
    hub.useBus(bus, true)
    const entry = { id: 1, container: 'api', message: 'hello', level: 'INFO' } as never
    await hub.publish([entry])
    expect(hub.listening).toBe(false)
    expect(published).toEqual([])

    await bus.publish(PRESENCE_CHANNEL, 1) // another instance opened a tail
    expect(hub.listening).toBe(true)
    await hub.publish([entry])
    expect(published).toHaveLength(1)

    // A subscriber here announces itself to the others.
    const announced: unknown[] = []
    bus.subscribe(PRESENCE_CHANNEL, (message) => announced.push(message))
    const remove = hub.add({ push: () => {} }, {})
    await new Promise((resolve) => setImmediate(resolve))
    expect(announced).toHaveLength(1)
    remove()
  })
})

describe.skipIf(!postgresUrl)('live tail across instances on PostgreSQL (LISTEN/NOTIFY)', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  it('reaches a subscriber on another instance, also for an entry larger than a NOTIFY payload', async () => {
    const schema = await createTestSchema(postgresUrl!)
    cleanup.push(() => dropTestSchema(postgresUrl!, schema))
    const open = async () => {
      const database = await createDatabase({
        postgres: { connectionString: postgresUrl, options: `-c search_path=${schema}` },
        max: 3,
      })
      const logs = createLogs({ database, apiKeys: false })
      await logs.migrate()
      const stop = logs.start()
      cleanup.push(async () => {
        await stop()
        await database.destroy()
      })
      return logs
    }
    const writer = await open()
    const reader = await open()
    await new Promise((resolve) => setTimeout(resolve, 300)) // LISTEN is set up asynchronously
    const response = await tail(reader, '?container=shared')
    const text = readStream(response, (t) => t.split('event: log').length - 1 >= 2)
    await new Promise((resolve) => setTimeout(resolve, 200)) // the reader's announcement reaches the writer
    await writer.write([
      { container: 'shared', message: 'from the other instance' },
      { container: 'shared', message: 'x'.repeat(20_000) },
    ])
    const received = await text
    expect(received).toContain('"message":"from the other instance"')
    expect(received).toContain('… [truncated]')
  })
})
