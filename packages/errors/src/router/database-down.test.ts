import { createServer } from 'node:net'
import { createDatabase } from '@monlight/core'
import { expect, it } from 'vitest'
import { createErrors } from '../index.js'

/** A loopback port with nothing listening on it: PostgreSQL down. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

it('answers 503 with Retry-After while PostgreSQL is unreachable, not a 500', async () => {
  const database = await createDatabase({
    postgres: `postgres://monlight:x@127.0.0.1:${await closedPort()}/monlight`,
  })
  const errors = createErrors({ database, apiKeys: ['k'] })
  const response = await errors.fetch(
    new Request('http://x/api/errors', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({
        project: 'shop',
        exception_type: 'ValueError',
        message: 'boom',
        traceback: 'ValueError: boom',
      }),
    }),
  )
  expect(response.status).toBe(503)
  expect(response.headers.get('retry-after')).toBe('2')
  expect(await response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
  await database.destroy()
})
