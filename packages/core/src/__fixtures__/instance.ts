// One "server instance" for the multi-process tests: a scheduler whose job records which instance ran it, and
// a bus subscriber. Commands arrive on stdin (`publish <text>`, `stop`); events go to stdout as JSON lines.
import { createInterface } from 'node:readline'
import { createBus } from '../bus/bus.js'
import { createDatabase } from '../database/create-database.js'
import { createScheduler } from '../jobs/scheduler.js'

const [url, instance, schema] = process.argv.slice(2) as [string, string, string]
const database = await createDatabase({
  postgres: { connectionString: url, options: `-c search_path=${schema}` },
})
const emit = (event: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ instance, ...event })}\n`)

const stopJobs = createScheduler({ name: 'twin', database, leaderCheckMs: 200 })
  .add({
    name: 'record',
    intervalMs: 50,
    run: async () => {
      await database.pool!.query('insert into job_runs (instance) values ($1)', [instance])
    },
  })
  .start()
const bus = createBus({ database })
bus.subscribe('ping', (message) => emit({ event: 'received', message }))
await bus.ready()
emit({ event: 'ready' })

for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith('publish ')) {
    await bus.publish('ping', { from: instance, text: line.slice(8) })
    emit({ event: 'published' })
  }
  if (line === 'stop') break
}
await stopJobs()
await bus.close()
await database.destroy()
emit({ event: 'stopped' })
