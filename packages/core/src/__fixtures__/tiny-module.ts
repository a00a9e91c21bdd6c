import * as z from 'zod'
import { MonlightError } from '../errors.js'
import { readJson, readText } from '../http/body.js'
import { createModuleApp, routeMeta } from '../http/module-app.js'
import { readQuery } from '../http/query.js'

export const TINY_KEYS = ['key-one', 'key-two'] as const

/** A small module router exercising every part of the HTTP kit. */
export function createTinyModule() {
  const app = createModuleApp({
    name: 'tiny',
    auth: { apiKeys: [...TINY_KEYS] },
    bodyLimit: 256,
  })
  app.post('/api/echo', async (event) => {
    const body = await readJson(event)
    event.res.status = 201
    return { received: body }
  })
  app.get('/api/search', (event) =>
    readQuery(event, z.object({ q: z.string(), limit: z.coerce.number().int().max(500).default(100) })),
  )
  app.get('/api/items/:id', (event) => {
    throw new MonlightError('NOT_FOUND', `Item ${event.context.params?.id} not found`)
  })
  app.get('/api/boom', () => {
    throw new Error('secret database password in this message')
  })
  app.post(
    '/api/upload',
    async (event) => ({ bytes: (await readText(event)).length }),
    routeMeta({ bodyLimit: 4096 }),
  )
  app.get('/public/page', () => 'hello', routeMeta({ public: true }))
  return app
}
