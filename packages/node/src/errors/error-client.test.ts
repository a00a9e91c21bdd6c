import { type Logger, silentLogger } from '@monlight/core'
import { startHttpReceiver } from '@monlight/test-utils'
import { describe, expect, it } from 'vitest'
import { createRecorder } from '../__fixtures__/recorder.js'
import { ErrorClient } from './error-client.js'

function recordingLogger(lines: string[]): Logger {
  return { ...silentLogger, warn: (message) => lines.push(message), child: () => recordingLogger(lines) }
}

describe('ErrorClient', () => {
  it('builds the upstream report shape with scrubbed context', () => {
    const client = new ErrorClient({
      ingest: createRecorder().errors,
      project: 'shop',
      environment: 'prod',
      excludedHeaders: ['X-Session'],
    })
    const report = client.buildReport(new RangeError('out of range'), {
      url: 'https://shop.test/pay?card=1&token=abc',
      method: 'POST',
      headers: { Cookie: 'sid=1', 'X-Session': 's', 'User-Agent': 'ua' },
      userId: 42,
      extra: { body: { password: 'hunter2', amount: 3 } },
    })
    expect(report).toMatchObject({
      project: 'shop',
      environment: 'prod',
      exception_type: 'RangeError',
      message: 'out of range',
      request_url: 'https://shop.test/pay?card=1&token=%5BFiltered%5D',
      request_method: 'POST',
      request_headers: { 'user-agent': 'ua' },
      user_id: '42',
      extra: { body: { password: '[Filtered]', amount: 3 } },
    })
    expect(report.traceback.startsWith('RangeError: out of range\n    at ')).toBe(true)
  })

  it('posts to /api/errors with the key and returns the answer', async () => {
    const receiver = await startHttpReceiver(() => ({
      status: 201,
      body: { status: 'created', id: 7, fingerprint: 'a'.repeat(32) },
    }))
    try {
      const client = new ErrorClient({ baseUrl: receiver.url, apiKey: 'k' })
      await expect(client.report(new Error('x'))).resolves.toEqual({
        status: 'created',
        id: 7,
        fingerprint: 'a'.repeat(32),
      })
      expect(receiver.received[0]?.path).toBe('/api/errors')
      expect(receiver.received[0]?.headers['x-api-key']).toBe('k')
      expect(receiver.received[0]?.body).toMatchObject({ project: 'default' })
    } finally {
      await receiver.close()
    }
  })

  it('never throws, and logs failures once per interval', async () => {
    const receiver = await startHttpReceiver(() => ({
      status: 500,
      body: { detail: 'Internal server error' },
    }))
    const lines: string[] = []
    try {
      const client = new ErrorClient({ baseUrl: receiver.url, apiKey: 'k', logger: recordingLogger(lines) })
      for (let i = 0; i < 5; i++) client.capture(new Error(`e${i}`))
      await client.flush()
      await expect(client.report(new Error('again'))).resolves.toBeUndefined()
      expect(receiver.received).toHaveLength(6)
      expect(lines).toEqual(['error report not delivered'])
    } finally {
      await receiver.close()
    }
  })

  it('reports in-process to an ingest service', async () => {
    const recorder = createRecorder()
    const client = new ErrorClient({ ingest: recorder.errors })
    client.capture(new TypeError('t'))
    await client.flush()
    expect(recorder.reports.map((report) => report.exception_type)).toEqual(['TypeError'])
  })
})
