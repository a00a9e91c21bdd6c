import { createDatabase } from '@monlight/core'
import { describeAdapters } from '@monlight/test-utils'
import { afterAll, expect, it } from 'vitest'
import { createErrors } from '../index.js'
import { browserReport, pythonReport } from '../test-support.js'

const KEY = 'test_api_key_e2e_12345'
const database = await createDatabase({ sqlite: ':memory:' })
const errors = createErrors({ database, apiKeys: [KEY] })
await errors.migrate()
afterAll(() => database.destroy())

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
const get = { headers: { 'x-api-key': KEY } }
const post = { method: 'POST', headers: { 'x-api-key': KEY } }

describeAdapters(
  'errors HTTP API',
  () => errors.router,
  (t) => {
    const project = `smoke-${t.adapter}`

    it('runs the upstream smoke-test steps', async () => {
      const body = pythonReport({ project })
      const first = await t.fetch('/api/errors', json(body))
      expect(first.status).toBe(201)
      expect(first.headers.get('content-type')).toMatch(/^application\/json/)
      const created = await first.text()
      expect(created).toMatch(/^\{"status":"created","id":\d+,"fingerprint":"[0-9a-f]{32}"\}$/)
      const second = await t.fetch('/api/errors', json(body))
      expect(second.status).toBe(200)
      expect(await second.json()).toEqual({ status: 'incremented', id: JSON.parse(created).id, count: 2 })
      const list = await t.fetch(`/api/errors?project=${project}`, get)
      expect(list.status).toBe(200)
      expect(await list.text()).toContain('"TestError"')
    })

    it('serves detail, resolve, reopen and unresolve', async () => {
      const { id } = await (
        await t.fetch('/api/errors', json(pythonReport({ project, exception_type: 'Flow' })))
      ).json()
      const detail = await (await t.fetch(`/api/errors/${id}`, get)).json()
      expect(detail).toMatchObject({
        id,
        project,
        exception_type: 'Flow',
        resolved: false,
        resolved_at: null,
      })
      expect(detail.occurrences).toHaveLength(1)
      const resolved = await t.fetch(`/api/errors/${id}/resolve`, post)
      expect([resolved.status, await resolved.json()]).toEqual([200, { status: 'resolved', id }])
      expect((await (await t.fetch(`/api/errors/${id}`, get)).json()).resolved_at).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      )
      const listed = await (await t.fetch(`/api/errors?project=${project}&resolved=true`, get)).json()
      expect(listed.errors.map((e: { id: number }) => e.id)).toContain(id)
      const reopened = await t.fetch('/api/errors', json(pythonReport({ project, exception_type: 'Flow' })))
      expect([reopened.status, await reopened.json()]).toEqual([201, { status: 'reopened', id, count: 2 }])
      const unresolved = await t.fetch(`/api/errors/${id}/unresolve`, post)
      expect(await unresolved.json()).toEqual({ status: 'unresolved', id })
    })

    it('answers 404 for unknown and non-numeric ids', async () => {
      for (const path of [
        '/api/errors/999999',
        '/api/errors/abc',
        '/api/errors/0',
        '/api/errors/-1',
        '/api/errors/1e3',
      ]) {
        const res = await t.fetch(path, get)
        expect(res.status, path).toBe(404)
        expect(await res.json()).toEqual({ detail: 'Error not found', code: 'NOT_FOUND' })
      }
      expect((await t.fetch('/api/errors/999999/resolve', post)).status).toBe(404)
      expect((await t.fetch('/api/errors/abc/unresolve', post)).status).toBe(404)
    })

    it('filters the list (decoded values, source, session, search, environment, paging)', async () => {
      const spaced = `${project} with space`
      await t.fetch('/api/errors', json(pythonReport({ project: spaced, environment: 'staging' })))
      await t.fetch('/api/errors', json(browserReport({ project: spaced })))
      const query = async (q: string) =>
        (await (await t.fetch(`/api/errors?${q}`, get)).json()) as {
          errors: { exception_type: string; source: string }[]
          total: number
          limit: number
          offset: number
        }
      const p = `project=${encodeURIComponent(spaced)}`
      expect((await query(p)).total).toBe(2)
      expect((await query(`${p}&source=browser`)).errors.map((e) => e.source)).toEqual(['browser'])
      expect((await query(`${p}&source=server`)).errors.map((e) => e.exception_type)).toEqual(['TestError'])
      expect((await query(`${p}&source=other`)).total).toBe(2)
      expect((await query(`${p}&session_id=session-001`)).errors.map((e) => e.exception_type)).toEqual([
        'TypeError',
      ])
      expect((await query(`${p}&search=properties%20of`)).total).toBe(1)
      expect((await query(`${p}&environment=staging`)).total).toBe(1)
      expect(
        (await query(`${p}&since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).total,
      ).toBe(2)
      expect((await query(`${p}&since=2999-01-01T00%3A00%3A00Z`)).total).toBe(0)
      expect(await query(`${p}&limit=1&offset=1`)).toMatchObject({ total: 2, limit: 1, offset: 1 })
      expect(await query(`${p}&limit=500`)).toMatchObject({ limit: 200, offset: 0 })
      expect(await query(`${p}&limit=0&offset=x`)).toMatchObject({ limit: 50, offset: 0 })
      expect(await query(`${p}&limit=abc`)).toMatchObject({ limit: 50 })
      const bad = await t.fetch('/api/errors?since=yesterday', get)
      expect(bad.status).toBe(400)
      expect((await bad.json()).detail).toMatch(/since/)
      const projects = await (await t.fetch('/api/projects', get)).json()
      expect(projects.projects).toContain(spaced)
    })

    it('rejects bad reports with upstream messages', async () => {
      const cases: [string | unknown, number, string][] = [
        ['{not json', 400, 'Invalid JSON'],
        ['', 400, 'Invalid JSON'],
        ['[1]', 400, 'Request body must be a JSON object'],
        [{ exception_type: 'E', message: 'm', traceback: '' }, 400, 'Missing required field: project'],
        [{ project: 'p', message: 'm', traceback: '' }, 400, 'Missing required field: exception_type'],
        [{ project: 'p', exception_type: 'E', traceback: '' }, 400, 'Missing required field: message'],
        [{ project: 'p', exception_type: 'E', message: 'm' }, 400, 'Missing required field: traceback'],
        [
          pythonReport({ project: 'x'.repeat(101) }),
          400,
          "Field 'project' exceeds maximum length of 100 characters",
        ],
      ]
      for (const [body, status, detail] of cases) {
        const res = await t.fetch('/api/errors', json(body))
        expect(res.status, String(detail)).toBe(status)
        expect((await res.json()).detail).toBe(detail)
      }
      // Poison records: `extra` nested thousands deep is refused, never stored to break every later read.
      for (const depth of [33, 4_100, 5_000]) {
        const extra = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        const body = JSON.stringify(pythonReport({})).replace(/}$/, `,"extra":${extra}}`)
        const res = await t.fetch('/api/errors', json(body))
        expect([res.status, (await res.json()).detail], String(depth)).toEqual([
          400,
          "Field 'extra' nests deeper than 32 levels: flatten it",
        ])
      }
      const big = await t.fetch('/api/errors', json(pythonReport({ message: 'x'.repeat(262_144) })))
      expect(big.status).toBe(413)
      expect((await big.json()).detail).toBe('Request body exceeds maximum size')
      // A structured event (what the relay forwards for Sentry events of up to 1 MiB) may be larger.
      const breadcrumbs = Array.from({ length: 100 }, (_, i) => ({ message: `${i} ${'y'.repeat(6000)}` }))
      const structured = await t.fetch(
        '/api/errors',
        json(pythonReport({ message: 'a large structured event', event: { breadcrumbs } })),
      )
      expect(structured.status).toBeLessThan(300)
    })

    it('needs the API key except for /health and the UI', async () => {
      for (const [path, init] of [
        ['/api/errors', {}],
        ['/api/projects', {}],
        ['/api/errors', json(pythonReport(), { 'x-api-key': 'wrong' })],
        ['/api/test-alert', { method: 'POST' }],
      ] as const) {
        const res = await t.fetch(path, init)
        expect(res.status).toBe(401)
        expect(await res.json()).toMatchObject({ detail: 'Invalid API key', code: 'UNAUTHORIZED' })
      }
      expect((await t.fetch(`/api/projects?api_key=${KEY}`)).status).toBe(200)
      expect(await (await t.fetch('/health')).json()).toEqual({ status: 'ok' })
    })

    it('test-alert without channels is 503 as upstream', async () => {
      const res = await t.fetch('/api/test-alert', post)
      expect(res.status).toBe(503)
      expect((await res.json()).detail).toBe('SMTP not configured: SMTP_HOST is not set')
    })
  },
)

describeAdapters(
  'errors HTTP API with RATE_LIMIT',
  () => createErrors({ database, apiKeys: [KEY], rateLimit: 2 }).router,
  (t) => {
    it('answers 429 with Retry-After beyond the limit per minute', async () => {
      expect((await t.fetch('/api/projects', get)).status).toBe(200)
      expect((await t.fetch('/api/projects', get)).status).toBe(200)
      const limited = await t.fetch('/api/projects', get)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
      expect((await limited.json()).detail).toBe('Rate limit exceeded')
      expect((await t.fetch('/health')).status).toBe(200)
    })
  },
)
