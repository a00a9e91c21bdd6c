// Test helpers (excluded from the build).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDatabase, type Database } from '@monlight/core'
import { toNodeListener } from '@monlight/core/adapters/node'
import { createErrors } from '@monlight/errors'
import { createLogs } from '@monlight/logs'
import { createMetrics } from '@monlight/metrics'
import { recordingErrors, recordingMetrics } from '@monlight/test-utils'
import { createRelay, type RelayModule, type RelayOptions } from '../index.js'

export const ADMIN_KEY = 'test_admin_key_e2e_12345'
export const DSN_KEY = 'dsn-key-of-the-web-project-0001'

export interface TestRelay {
  relay: RelayModule
  errors: ReturnType<typeof recordingErrors>
  metrics: ReturnType<typeof recordingMetrics>
  database: Database
}

/** A migrated relay on `database` (default: SQLite in memory) forwarding into recorders, with one seeded key. */
export async function createTestRelay(
  overrides: Partial<RelayOptions> = {},
  database?: Database,
): Promise<TestRelay> {
  const db = database ?? (await createDatabase({ sqlite: ':memory:' }))
  const errors = recordingErrors()
  const metrics = recordingMetrics()
  const relay = createRelay({
    database: db,
    apiKeys: [ADMIN_KEY],
    corsOrigins: ['http://localhost:3000', 'https://*.example.com'],
    dsnKeys: [{ project: 'web', publicKey: DSN_KEY }],
    forward: { errors, metrics },
    ...overrides,
  })
  await relay.migrate()
  return { relay, errors, metrics, database: db }
}

/** A fetch app that waits for an async setup, for describeAdapters (whose factory is synchronous). */
export function lazyApp(ready: Promise<{ fetch(request: Request): Promise<Response> }>) {
  return { fetch: async (request: Request) => (await ready).fetch(request) }
}

/** A browser error as the SDK sends it (contract §8.2). */
export function browserError(overrides: Record<string, unknown> = {}) {
  return {
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'id')",
    stack:
      "TypeError: Cannot read properties of undefined (reading 'id')\n    at onClick (app.min.js:1:2345)",
    url: 'https://example.com/dashboard',
    user_agent: 'Mozilla/5.0',
    session_id: 'e2e-test-session-001',
    context: { user_id: 'u1' },
    timestamp: '2026-11-25T10:00:00.000Z',
    ...overrides,
  }
}

/** A request as a receiver test sees it on the wire. */
export interface SeenRequest {
  path: string
  type: string
  encoding: string
  status: number
}

/**
 * The relay forwarding in-process into the real errors, logs and metrics modules (one SQLite database in memory),
 * served by core's node:http adapter on loopback, recording every request: where a protocol's real client sends.
 */
export async function serveRelayWithStores(apiKey: string) {
  const database = await createDatabase({ sqlite: ':memory:' })
  const errors = createErrors({ database, apiKeys: [apiKey] })
  const logs = createLogs({ database, apiKeys: [apiKey] })
  const metrics = createMetrics({ database, apiKeys: [apiKey] })
  for (const module of [errors, logs, metrics]) await module.migrate()
  const relay = createRelay({
    database,
    apiKeys: [apiKey],
    forward: { errors: errors.service, metrics: metrics.service, logs: logs.service },
  })
  await relay.migrate()
  const requests: SeenRequest[] = []
  const listener = toNodeListener(relay.router)
  const server = createServer((request, response) => {
    response.on('finish', () =>
      requests.push({
        path: request.url ?? '',
        type: String(request.headers['content-type']),
        encoding: String(request.headers['content-encoding'] ?? 'identity'),
        status: response.statusCode,
      }),
    )
    listener(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    database,
    relay,
    errors,
    logs,
    metrics,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
