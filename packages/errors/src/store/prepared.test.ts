import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createPlanRunner, type Plan, prepare } from './prepared.js'

describeDialects('plan runner', (dialect) => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    await sql`create table plan_test (name text not null)`.execute(database.db)
  })
  afterAll(() => database.destroy())

  it('runs concurrent plans atomically each: a failing one rolls back alone', async () => {
    const runner = createPlanRunner(database)
    const insert = prepare(database.db, (db, p) => db.insertInto('plan_test').values({ name: p('name') }))
    const count = prepare(database.db, (db, p) =>
      db
        .selectFrom('plan_test')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('name', '=', p('name')),
    )
    function* plan(name: string, fail: boolean): Plan<number> {
      yield { query: insert, values: { name } }
      yield { query: insert, values: { name } }
      if (fail) throw new Error(`plan ${name} failed`)
      const [row] = yield { query: count, values: { name } }
      return Number(row.n)
    }
    const results = await Promise.allSettled([
      runner.run(() => plan('a', false)),
      runner.run(() => plan('b', true)),
      runner.run(() => plan('c', false)),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[0] as PromiseFulfilledResult<number>).value).toBe(2)
    const rows = await database.db.selectFrom('plan_test').select('name').orderBy('name').execute()
    expect(rows.map((row) => row.name)).toEqual(['a', 'a', 'c', 'c'])
  })
})
