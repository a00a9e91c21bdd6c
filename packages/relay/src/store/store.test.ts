import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { createTestRelay, DSN_KEY, type TestRelay } from '../__fixtures__/harness.js'
import { DSN_KEY_TABLE, SOURCE_MAP_TABLE } from '../schema/tables.js'
import { isoSeconds } from '../service/service.js'

const DAY = 86_400_000
const MAP = JSON.stringify({ version: 3, sources: ['src/app.ts'], names: ['handleClick'], mappings: 'AAAAA' })

describeDialects('relay store and service', (dialect) => {
  let database: TestDatabase
  let harness: TestRelay
  let now = Date.UTC(2026, 10, 25, 10, 0, 0)

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    harness = await createTestRelay({ now: () => now }, database)
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    await database.db.deleteFrom(SOURCE_MAP_TABLE).execute()
    await database.db.deleteFrom(DSN_KEY_TABLE).where('public_key', '<>', DSN_KEY).execute()
  })

  it('migrates idempotently and seeds without overriding an existing key', async () => {
    const service = harness.relay.service
    const [seeded] = await service.listKeys()
    expect(seeded).toMatchObject({
      public_key: DSN_KEY,
      project: 'web',
      active: true,
      created_at: isoSeconds(now),
    })
    await service.deactivateKey(seeded!.id)
    await harness.relay.migrate()
    await service.seedKeys([{ project: 'other', publicKey: DSN_KEY }])
    expect((await service.listKeys())[0]).toMatchObject({ project: 'web', active: false })
    await service.updateKey(seeded!.id, { active: true })
    expect(await service.authenticate(DSN_KEY)).toMatchObject({ project: 'web' })
  })

  it('creates keys with settings and finds only active ones', async () => {
    const service = harness.relay.service
    const key = await service.createKey({
      project: 'shop',
      allowed_origins: ['https://shop.test'],
      rate_limit: 10,
    })
    expect(key).toMatchObject({
      id: expect.any(Number),
      active: true,
      allowed_origins: ['https://shop.test'],
      rate_limit: 10,
    })
    expect(await service.authenticate(key.public_key)).toEqual(key)
    expect(await service.preflightOrigins()).toContain('https://shop.test')
    await service.deactivateKey(key.id)
    expect(await service.authenticate(key.public_key)).toBeUndefined()
    expect(await service.authenticate(undefined)).toBeUndefined()
    await expect(service.deactivateKey(123456)).rejects.toThrow('DSN key not found')
  })

  it('replaces a map with a new id, lists without content, deletes by retention', async () => {
    const service = harness.relay.service
    const target = { project: 'web', release: '1.0.0', file_url: '/static/app.min.js', map_content: MAP }
    await service.putSourceMap(target)
    const [first] = await service.listSourceMaps('web')
    now += DAY
    await service.putSourceMap(target)
    const maps = await service.listSourceMaps()
    expect(maps).toHaveLength(1)
    expect(maps[0]!.id).not.toBe(first!.id)
    expect(maps[0]).toEqual({ ...first, id: maps[0]!.id, uploaded_at: isoSeconds(now) })
    expect(await service.listSourceMaps('nope')).toEqual([])

    now += 89 * DAY
    expect(await service.applyRetention()).toBe(0)
    now += 2 * DAY
    expect(await service.applyRetention()).toBe(1)
    expect(await service.listSourceMaps()).toEqual([])
  })

  it('deobfuscates a stored frame (upstream example)', async () => {
    const service = harness.relay.service
    await service.putSourceMap({
      project: 'web',
      release: '1.0.0',
      file_url: '/static/app.min.js',
      map_content: MAP,
    })
    const key = (await service.authenticate(DSN_KEY))!
    harness.errors.reports.length = 0
    await service.ingestError(key, {
      type: 'Error',
      message: 'x',
      stack: 'Error: x\n    at a (http://example.com/static/app.min.js?v=1:1:1)',
      release: '1.0.0',
    })
    expect(harness.errors.reports[0]!.traceback).toBe('Error: x\n    at handleClick (src/app.ts:1:1)')
    expect(harness.errors.reports[0]!.extra).toMatchObject({
      minified_stack: 'Error: x\n    at a (http://example.com/static/app.min.js?v=1:1:1)',
    })
  })
})
