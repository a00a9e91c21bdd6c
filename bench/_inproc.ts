import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDatabase } from '@monlight/core'
import { createErrors } from '@monlight/errors'
import { createRelay } from '@monlight/relay'

const dir = mkdtempSync(join(tmpdir(), 'x-'))
const errors = createErrors({
  database: await createDatabase({ sqlite: join(dir, 'e.sqlite') }),
  apiKeys: ['k'],
})
await errors.migrate()
const relay = createRelay({
  database: await createDatabase({ sqlite: join(dir, 'r.sqlite') }),
  apiKeys: ['k'],
  dsnKeys: [{ project: 'b', publicKey: '0123456789abcdef0123456789abcdef' }],
  forward: { errors: errors.service, metrics: { ingest: async (p) => ({ count: p.length }) } },
  rateLimit: false,
})
await relay.migrate()
const payload = JSON.stringify({
  exception: {
    values: [
      {
        type: 'TypeError',
        value: 'x',
        stacktrace: {
          frames: Array.from({ length: 14 }, (_, i) => ({
            filename: `/app/src/f${i}.js`,
            function: `f${i}`,
            lineno: i,
            colno: 3,
            in_app: i > 4,
            pre_context: ['a', 'b', 'c', 'd', 'e'],
            context_line: 'throw',
            post_context: ['a', 'b', 'c', 'd', 'e'],
          })),
        },
      },
    ],
  },
  breadcrumbs: Array.from({ length: 12 }, (_, i) => ({ timestamp: 1, message: `m${i}` })),
  contexts: { os: { name: 'Linux' } },
  tags: { a: 'b' },
  platform: 'node',
  release: 'r1',
  environment: 'production',
})
let n = 0
const one = async () => {
  const id = randomBytes(16).toString('hex')
  const body = `{"event_id":"${id}"}\n{"type":"event"}\n${payload.replace('"value":"x"', `"value":"x${n++ % 200}"`)}`
  const r = await relay.fetch(
    new Request('http://x/api/1/envelope/?sentry_key=0123456789abcdef0123456789abcdef', {
      method: 'POST',
      body,
    }),
  )
  if (r.status !== 200) throw new Error(await r.text())
  await r.text()
}
for (const conc of [1, 32]) {
  const t = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (done < 2000) {
        done++
        await one()
      }
    }),
  )
  console.log(conc, ((2000 / (performance.now() - t)) * 1000).toFixed(0), 'events/s')
}
const t2 = performance.now()
for (let i = 0; i < 2000; i++)
  await errors.service.ingest({ project: 'b', exception_type: 'E', message: 'm' + (i % 200), traceback: 'x' })
console.log('errors.ingest sequential', ((2000 / (performance.now() - t2)) * 1000).toFixed(0))
