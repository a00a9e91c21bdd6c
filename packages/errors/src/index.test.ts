import { createDatabase } from '@monlight/core'
import { expect, it } from 'vitest'
import { createErrors } from './index.js'
import { manualClock, pythonReport } from './test-support.js'

it('start() runs retention at once (upstream waited 24 h), and stop() ends it', async () => {
  const database = await createDatabase({ sqlite: ':memory:' })
  const clock = manualClock()
  const errors = createErrors({ database, apiKeys: false, now: clock.now, retentionDays: 90 })
  await errors.migrate()
  const { id } = await errors.service.ingest(pythonReport())
  await errors.service.resolve(id)
  clock.advance(91 * 86_400_000)
  const stop = errors.start()
  await expect.poll(() => errors.service.get(id).catch((error) => error.status)).toBe(404)
  await stop()
  await database.destroy()
})

it('rejects invalid options with a message naming the package and the field', () => {
  expect(() => createErrors({ database: {} as never, apiKeys: [] })).toThrow(
    /@monlight\/errors: invalid options[\s\S]*database/,
  )
  expect(() =>
    createErrors({
      database: { db: {}, dialect: 'sqlite' } as never,
      apiKeys: false,
      alerts: { webhook: { url: 'not a url' } },
    }),
  ).toThrow(/alerts\.webhook\.url/)
})
