import { createDatabase } from '@monlight/core'
import { describeAdapters } from '@monlight/test-utils'
import { afterAll, expect, it } from 'vitest'
import { createLogs } from '../index.js'
import { readEvents } from '../tail/__fixtures__/sse.js'

const KEY = 'test-key'
const database = await createDatabase({ sqlite: ':memory:' })
const logs = createLogs({
  database,
  apiKeys: [KEY],
  tail: { maxSubscribers: 2, heartbeatSeconds: 1, maxDurationSeconds: 3 },
})
await logs.migrate()
afterAll(() => database.destroy())

const auth = { 'x-api-key': KEY }
const json = (body: unknown) => ({
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

describeAdapters(
  'logs HTTP API',
  () => logs.router,
  (t) => {
    it('serves an open /health with logs_indexed and last_ingest', async () => {
      const response = await t.fetch('/health')
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ status: 'ok', logs_indexed: expect.any(Number) })
    })

    it('requires the API key, from the header or ?api_key=', async () => {
      expect((await t.fetch('/api/logs')).status).toBe(401)
      expect(await (await t.fetch('/api/logs')).json()).toMatchObject({
        detail: 'Invalid API key',
        code: 'UNAUTHORIZED',
      })
      expect((await t.fetch(`/api/logs?api_key=${KEY}`)).status).toBe(200)
    })

    it('ingests a batch with POST /api/logs and finds it with GET /api/logs', async () => {
      const container = `c-${t.adapter}`
      const response = await t.fetch(
        '/api/logs',
        json({
          logs: [
            { container, message: 'ERROR: payment failed for order 7', timestamp: '2025-01-20T10:00:00Z' },
            {
              container,
              message: 'all good',
              level: 'info',
              timestamp: 1737367260000,
              attributes: { order: 7 },
            },
          ],
        }),
      )
      expect(response.status).toBe(202)
      expect(await response.json()).toEqual({ status: 'accepted', count: 2 })
      expect((await t.fetch('/api/logs', json([{ container, message: 'bare array form' }]))).status).toBe(202)

      const page = await (
        await t.fetch(`/api/logs?container=${container}&level=%3E%3DERROR`, { headers: auth })
      ).json()
      expect(page).toMatchObject({ total: 1, limit: 100, offset: 0 })
      expect(page.logs[0]).toMatchObject({ level: 'ERROR', timestamp: '2025-01-20T10:00:00.000Z' })
      const found = await (
        await t.fetch(`/api/logs?q=${encodeURIComponent('"payment failed"')}&container=${container}`, {
          headers: auth,
        })
      ).json()
      expect(found.logs.map((l: { message: string }) => l.message)).toEqual([
        'ERROR: payment failed for order 7',
      ])
    })

    it('answers bad input with a 400 that says what to fix', async () => {
      const bad = async (path: string, init?: RequestInit) => {
        const response = await t.fetch(path, init)
        expect(response.status).toBe(400)
        return ((await response.json()) as { detail: string }).detail
      }
      expect(await bad('/api/logs?search=%22open', { headers: auth })).toMatch(
        /Invalid search: .*closing quote/,
      )
      expect(await bad('/api/logs?level=LOUD', { headers: auth })).toMatch(/level 'LOUD'/)
      expect(await bad('/api/logs?limit=ten', { headers: auth })).toMatch(/limit/)
      expect(await bad('/api/logs?since=later', { headers: auth })).toMatch(/since/)
      expect(await bad('/api/logs', { ...json({}), body: '{oops' })).toBe('Invalid JSON')
      expect(await bad('/api/logs', json({ entries: [] }))).toMatch(/JSON array of log entries/)
      expect(await bad('/api/logs', json([{ message: 5 }]))).toMatch(/log entry 0: message/)
      // Poison records: attributes nested thousands deep are refused, never stored to break every later read.
      for (const depth of [33, 4_100, 5_000]) {
        const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        const body = `[{"message":"ok"},{"message":"deep","attributes":${nested}}]`
        expect(await bad('/api/logs', { ...json([]), body })).toBe(
          'Invalid log entry 1: attributes nest deeper than 32 levels',
        )
      }
      const read = await t.fetch('/api/logs', { headers: auth })
      expect(read.status).toBe(200)
      // Times no clock could have: they would stay first in every list (and in /health) for ever.
      expect(await bad('/api/logs', json([{ message: 'x', timestamp: '2999-01-01T00:00:00Z' }]))).toBe(
        'Invalid log entry 0: timestamp 2999-01-01T00:00:00.000Z is more than 24 hours in the future',
      )
      expect(await bad('/api/logs', json([{ message: 'x', timestamp: -8e15 }]))).toMatch(
        /^Invalid log entry 0: timestamp -251540-.* is before 1970$/,
      )
    })

    it('serves containers and stats at the code paths and the documented aliases', async () => {
      for (const path of ['/api/containers', '/api/logs/containers']) {
        const body = await (await t.fetch(path, { headers: auth })).json()
        expect(body.containers).toEqual(expect.arrayContaining([{ name: `c-${t.adapter}`, log_count: 3 }]))
      }
      for (const path of ['/api/stats', '/api/logs/stats']) {
        const body = await (await t.fetch(path, { headers: auth })).json()
        expect(body).toMatchObject({ total_logs: expect.any(Number), by_level: expect.any(Object) })
      }
    })

    it('streams new entries over SSE with filters and ?api_key=, with heartbeats', async () => {
      const container = `tail-${t.adapter}`
      const response = await t.fetch(
        `/api/logs/tail?api_key=${KEY}&container=${container}&level=%3E%3DWARNING`,
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream')
      const events = readEvents(
        response,
        (seen) =>
          seen.filter((e) => e.event === 'log').length >= 1 && seen.some((e) => e.event === 'heartbeat'),
      )
      await new Promise((resolve) => setTimeout(resolve, 100))
      await logs.write([
        { container, message: 'just info' },
        { container: 'elsewhere', message: 'ERROR: other container' },
        { container, message: 'ERROR: tail me' },
      ])
      const seen = await events
      const logged = seen.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data))
      expect(logged).toEqual([
        expect.objectContaining({ container, level: 'ERROR', message: 'ERROR: tail me' }),
      ])
      expect(seen.find((e) => e.event === 'heartbeat')?.data).toBe('{}')
    })

    it('limits concurrent tails (503) and closes a tail at the maximum duration', async () => {
      const open = [
        await t.fetch('/api/logs/tail', { headers: auth }),
        await t.fetch('/api/logs/tail', { headers: auth }),
      ]
      const third = await t.fetch('/api/logs/tail', { headers: auth })
      expect(third.status).toBe(503)
      expect(await third.json()).toMatchObject({ detail: 'Too many SSE connections' })
      const events = await readEvents(open[0]!, (seen) => seen.some((e) => e.event === 'close'))
      expect(events.at(-1)).toMatchObject({ event: 'close', data: '{"reason":"max_duration"}' })
      await open[1]!.body!.cancel()
      await new Promise((resolve) => setTimeout(resolve, 100))
      const again = await t.fetch('/api/logs/tail', { headers: auth })
      expect(again.status).toBe(200)
      await again.body!.cancel()
    })
  },
)
