import { SeverityNumber } from '@opentelemetry/api-logs'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { serveRelayWithStores } from '../../__fixtures__/harness.js'

// The real OpenTelemetry log exporter against a store whose database is full (SQLite's size cap gives the same
// SQLITE_FULL as a full disk): it is told 503, nothing is stored or acknowledged, and the exporter's own retries
// deliver the refused records once there is room.
const KEY = 'otlp-outage-key'
let stack: Awaited<ReturnType<typeof serveRelayWithStores>>
beforeAll(async () => {
  stack = await serveRelayWithStores(KEY)
})
afterAll(() => stack.close())

it('a full database answers the exporter 503 and stores nothing; its retries deliver once space is freed', async () => {
  const exporter = new OTLPLogExporter({
    url: `${stack.base}/v1/logs`,
    headers: { Authorization: `Bearer ${KEY}` },
  })
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'outage' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  })
  const logger = provider.getLogger('outage')
  const emit = async (body: string) => {
    logger.emit({ severityNumber: SeverityNumber.INFO, body: `${body} ${'x'.repeat(4000)}` })
    await provider.forceFlush()
  }
  const sqlite = stack.database.sqlite!
  sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`)
  // The processor hands the batch on without waiting for the exporter's retries: look at what reached us.
  void emit('while full')
  const sent = () => stack.requests.filter((request) => request.path === '/v1/logs')
  await expect.poll(() => sent().length).toBeGreaterThan(0)
  expect(sent().every((request) => request.status === 503)).toBe(true)
  expect((await stack.logs.service.query({ container: 'outage' })).logs).toHaveLength(0)

  sqlite.pragma('max_page_count = 1073741823') // space freed
  await emit('after')
  // The refused batch was not acknowledged, so the exporter retried it: nothing sent while full is lost.
  const messages = async () =>
    (await stack.logs.service.query({ container: 'outage' })).logs
      .map((entry) => entry.message.split(' ')[0])
      .sort()
  await expect.poll(messages, { timeout: 15_000 }).toEqual(['after', 'while'])
  await provider.shutdown()
  expect(sent().at(-1)!.status).toBeLessThan(300)
})
