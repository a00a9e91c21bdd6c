import { createDatabase } from '@monlight/core'
import { expect, it } from 'vitest'
import { createLogs } from '../index.js'
import { createLogsStore, type NewEntry } from './store.js'

const entry = (message: string): NewEntry => ({
  timestamp: Date.parse('2026-01-01T00:00:00Z'),
  container: 'api',
  stream: 'stdout',
  level: 'INFO',
  message,
  attributes: null,
})

it('writes arriving in one turn share a commit, get their own ids, and a failing one fails alone', async () => {
  const database = await createDatabase({ sqlite: ':memory:' })
  await createLogs({ database, apiKeys: false }).migrate()
  // Counts the writer's transactions: it makes its one transaction function when the store is created.
  let transactions = 0
  const transaction = database.sqlite!.transaction.bind(database.sqlite!)
  database.sqlite!.transaction = ((fn: (...args: never[]) => unknown) => {
    const run = transaction(fn)
    return Object.assign((...args: never[]) => {
      transactions++
      return run(...args)
    }, run)
  }) as typeof transaction
  const store = createLogsStore(database)

  const [first, second] = await Promise.all([
    store.insert([entry('one'), entry('two')]),
    store.insert([entry('three')]),
  ])
  expect(first).toHaveLength(2)
  expect(second).toEqual([first[1]! + 1])
  expect(transactions).toBe(1)

  const results = await Promise.allSettled([
    store.insert([entry('four')]),
    store.insert([{ ...entry('bad'), message: null as unknown as string }]),
    store.insert([entry('five')]),
  ])
  expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  expect(transactions).toBe(1 + 1 + 3) // the shared one failed, then each alone
  const page = await store.query({ limit: 10, offset: 0 })
  expect(page.entries.map((e) => e.message).sort()).toEqual(['five', 'four', 'one', 'three', 'two'])
  // The FTS index holds every stored entry exactly once, whichever way it was written.
  const search = await store.query({
    limit: 10,
    offset: 0,
    search: { groups: [{ include: [['four']], exclude: [] }] },
  })
  expect(search.entries.map((e) => e.message)).toEqual(['four'])
  await database.destroy()
})
