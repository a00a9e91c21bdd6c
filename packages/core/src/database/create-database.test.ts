import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MonlightConfigError } from '../errors.js'
import { createDatabase, parseDatabaseUrl } from './create-database.js'
import { detectDialect } from './dialect.js'

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/errors.sqlite', { sqlite: './data/errors.sqlite' }],
    ['sqlite:///var/lib/monlight/e.sqlite', { sqlite: '/var/lib/monlight/e.sqlite' }],
    ['sqlite::memory:', { sqlite: ':memory:' }],
    ['./data/plain.db', { sqlite: './data/plain.db' }],
    ['postgres://u:p@localhost:5432/db', { postgres: 'postgres://u:p@localhost:5432/db' }],
    ['postgresql://u@h/db', { postgres: 'postgresql://u@h/db' }],
    ['pglite:', { pglite: undefined }],
    ['pglite:./pg-data', { pglite: './pg-data' }],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected)
  })

  it('names the accepted forms for anything else', () => {
    expect(() => parseDatabaseUrl('mysql://x/y')).toThrow(MonlightConfigError)
    expect(() => parseDatabaseUrl('mysql://x/y')).toThrow(/sqlite:<path>, postgres:\/\/.*pglite/)
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/names no file/)
  })
})

describe('SQLite', () => {
  it('creates the parent folder and sets WAL, synchronous=NORMAL, busy_timeout and foreign keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'monlight-db-'))
    const database = await createDatabase(`sqlite:${join(dir, 'nested', 'deeper', 'x.sqlite')}`)
    try {
      const pragma = (name: string) => database.sqlite!.pragma(name, { simple: true })
      expect(pragma('journal_mode')).toBe('wal')
      expect(pragma('synchronous')).toBe(1)
      expect(pragma('busy_timeout')).toBe(5000)
      expect(pragma('foreign_keys')).toBe(1)
      expect(database.path).toBe(join(dir, 'nested', 'deeper', 'x.sqlite'))
    } finally {
      await database.destroy()
    }
  })

  it('explains a file that cannot be created', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'monlight-db-')), 'a-file')
    writeFileSync(file, 'not a folder')
    await expect(createDatabase({ sqlite: join(file, 'x.sqlite') })).rejects.toThrow(
      /Cannot open SQLite database .*a-file\/x\.sqlite/,
    )
    await expect(createDatabase({ sqlite: file })).rejects.toThrow(MonlightConfigError)
  })
})

describeDialects('database', (dialect) => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await createTestDatabase(dialect)
  })
  afterEach(() => database.destroy())

  it('reports its dialect, and detectDialect agrees', () => {
    expect(database.dialect).toBe(dialect === 'sqlite' ? 'sqlite' : 'postgres')
    expect(detectDialect(database.db)).toBe(database.dialect)
  })

  it('returns counts and bigints as numbers', async () => {
    await sql`create table t (id bigint primary key, n bigint)`.execute(database.db)
    await database.db
      .insertInto('t')
      .values([
        { id: 1, n: 2 ** 40 },
        { id: 2, n: 5 },
      ])
      .execute()
    const row = await database.db
      .selectFrom('t')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum('n').as('total'), eb.fn.max('n').as('max')])
      .executeTakeFirstOrThrow()
    expect(row.count).toBe(2)
    expect(row.max).toBe(2 ** 40)
  })

  it('reports affected rows and runs transactions', async () => {
    await sql`create table t (id integer primary key, v text)`.execute(database.db)
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('t')
        .values([
          { id: 1, v: 'a' },
          { id: 2, v: 'b' },
        ])
        .execute()
    })
    const result = await database.db.updateTable('t').set({ v: 'c' }).executeTakeFirst()
    expect(Number(result.numUpdatedRows)).toBe(2)
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('t').execute()
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await database.db.selectFrom('t').selectAll().orderBy('id').execute()).toEqual([
      { id: 1, v: 'c' },
      { id: 2, v: 'c' },
    ])
  })
})
