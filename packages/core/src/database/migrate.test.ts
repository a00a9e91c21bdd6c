import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { type Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDatabase } from './create-database.js'
import { type Migration, migrate } from './migrate.js'

const createNotes: Migration = {
  async up(db) {
    await db.schema
      .createTable('monlight_notes_note')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('text', 'varchar(200)', (c) => c.notNull())
      .execute()
  },
}
const addAuthor: Migration = {
  async up(db) {
    await db.schema.alterTable('monlight_notes_note').addColumn('author', 'varchar(100)').execute()
  },
}

async function applied(db: Kysely<any>, module: string): Promise<string[]> {
  const rows = await db.selectFrom(`monlight_${module}_migration`).select('name').orderBy('name').execute()
  return rows.map((row) => row.name)
}

describeDialects('migrate', (dialect) => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await createTestDatabase(dialect)
  })
  afterEach(() => database.destroy())

  it('applies pending migrations in name order, once', async () => {
    const options = {
      module: 'notes',
      dialect: database.dialect,
      migrations: { '0002_add_author': addAuthor, '0001_create_notes': createNotes },
    }
    expect(await migrate(database.db, options)).toEqual({ applied: ['0001_create_notes', '0002_add_author'] })
    expect(await migrate(database.db, options)).toEqual({ applied: [] })
    await database.db.insertInto('monlight_notes_note').values({ id: 1, text: 'hi', author: 'ann' }).execute()
    expect(await applied(database.db, 'notes')).toEqual(['0001_create_notes', '0002_add_author'])
  })

  it('keeps one migration table per module', async () => {
    await migrate(database.db, {
      module: 'notes',
      dialect: database.dialect,
      migrations: { '0001_create_notes': createNotes },
    })
    await migrate(database.db, { module: 'other', dialect: database.dialect, migrations: {} })
    expect(await applied(database.db, 'notes')).toEqual(['0001_create_notes'])
    expect(await applied(database.db, 'other')).toEqual([])
  })

  it('rolls back every migration of a failed run', async () => {
    const broken: Migration = {
      async up(db) {
        await sql`create table monlight_notes_half (id integer)`.execute(db)
        throw new Error('migration 2 is broken')
      },
    }
    const run = migrate(database.db, {
      module: 'notes',
      dialect: database.dialect,
      migrations: { '0001_create_notes': createNotes, '0002_broken': broken },
    })
    await expect(run).rejects.toThrow('migration 2 is broken')
    const tables = (await database.db.introspection.getTables()).map((t) => t.name)
    expect(tables).not.toContain('monlight_notes_note')
    expect(tables).not.toContain('monlight_notes_half')
  })

  it('rejects module names that would make odd table names', async () => {
    await expect(
      migrate(database.db, { module: 'Bad-Name', dialect: database.dialect, migrations: {} }),
    ).rejects.toThrow(/Invalid module name/)
  })
})

const fixture = fileURLToPath(new URL('../__fixtures__/migrate-worker.ts', import.meta.url))

/** Runs the migrate worker in its own process, as a second server would. */
function runWorker(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@monlight/source', '--import', 'tsx', fixture, url],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

describe('migrate from two processes at once', () => {
  it('sqlite: both succeed and the migrations run once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'monlight-mig-')), 'shared.sqlite')
    const results = await Promise.all([runWorker(`sqlite:${file}`), runWorker(`sqlite:${file}`)])
    for (const result of results) expect(result.code, result.output).toBe(0)
    const appliedBy = results.map((r) => JSON.parse(r.output.trim().split('\n').pop()!).applied.length)
    expect(appliedBy.sort()).toEqual([0, 2])
    const database = await createDatabase(`sqlite:${file}`)
    try {
      expect(await applied(database.db, 'race')).toEqual(['0001_first', '0002_second'])
    } finally {
      await database.destroy()
    }
  }, 60_000)
})

describe('opening a new SQLite file another connection holds', () => {
  it('waits for the lock to switch to WAL rather than failing at once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'monlight-wal-')), 'held.sqlite')
    const { default: BetterSqlite3 } = await import('better-sqlite3')
    const other = new BetterSqlite3(file)
    other.exec('create table t (x integer)')
    // A read transaction in rollback-journal mode: the switch to WAL needs the file to itself.
    other.exec('begin')
    other.prepare('select * from t').all()
    setTimeout(() => other.exec('commit'), 200)
    const database = await createDatabase(`sqlite:${file}`)
    try {
      expect(database.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      await database.destroy()
      other.close()
    }
  })
})
