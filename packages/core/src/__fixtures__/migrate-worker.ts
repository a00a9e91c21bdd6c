// Applies two slow migrations to the database named on the command line and prints the result as JSON.
import { sql } from 'kysely'
import { createDatabase } from '../database/create-database.js'
import { migrate } from '../database/migrate.js'

const database = await createDatabase(process.argv[2]!)
const slow = (table: string) => ({
  async up(db: any) {
    await sql`create table ${sql.table(table)} (id integer)`.execute(db)
    await new Promise((resolve) => setTimeout(resolve, 300))
  },
})
const result = await migrate(database.db, {
  module: 'race',
  dialect: database.dialect,
  migrations: { '0001_first': slow('monlight_race_a'), '0002_second': slow('monlight_race_b') },
})
await database.destroy()
console.log(JSON.stringify(result))
