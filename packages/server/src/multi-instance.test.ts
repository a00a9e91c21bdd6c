/**
 * Two `monlight` processes on one PostgreSQL database, as behind a load balancer: what one is told, the other
 * shows; a log line written through one reaches a live tail on the other; rollups count every point once.
 */
import { createTestSchema, dropTestSchema, postgresUrl, printPostgresNotice } from '@monlight/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, type RunningCli, removeTempDirs, startCli, tempDir } from './__fixtures__/cli.js'

const KEY = 'two-instances-key'
const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }

describe.skipIf(!postgresUrl)('two servers on one PostgreSQL', () => {
  let schema: string
  let a: RunningCli
  let b: RunningCli

  beforeAll(async () => {
    schema = await createTestSchema(postgresUrl!)
    const url = `${postgresUrl}${postgresUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    const env = {
      API_KEY: KEY,
      DATABASE_URL: url,
      AGGREGATION_INTERVAL: '1',
      LOG_SOURCES: tempDir('monlight-no-logs-'),
    }
    a = await startCli(['--port', '0', '--data-dir', tempDir()], { env })
    b = await startCli(['--port', '0', '--data-dir', tempDir()], { env })
  })

  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    killAll()
    removeTempDirs()
    if (schema) await dropTestSchema(postgresUrl!, schema)
  })

  it('shows on one instance the error posted to the other', async () => {
    const report = { project: 'lb', exception_type: 'LbError', message: 'seen everywhere', traceback: '' }
    const posted = await fetch(`${a.indexUrl}errors/api/errors`, {
      method: 'POST',
      headers,
      body: JSON.stringify(report),
    })
    expect(posted.status).toBe(201)
    const { id } = (await posted.json()) as { id: number }
    const detail = await fetch(`${b.indexUrl}errors/api/errors/${id}`, { headers })
    expect(await detail.json()).toMatchObject({ id, message: 'seen everywhere' })
    expect((await fetch(`${b.indexUrl}errors/errors/${id}`)).status).toBe(200) // the detail page of the UI
  })

  it('delivers a log line written through one instance to a live tail on the other', async () => {
    const controller = new AbortController()
    const tail = await fetch(`${b.indexUrl}logs/api/logs/tail?api_key=${KEY}&container=lb`, {
      signal: controller.signal,
    })
    expect(tail.status).toBe(200)
    const reader = tail.body!.pipeThrough(new TextDecoderStream()).getReader()
    let received = ''
    const seen = (async () => {
      while (!received.includes('across instances')) {
        const { value, done } = await reader.read()
        if (done) break
        received += value
      }
    })()
    // Give the tail a moment to subscribe before writing.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const written = await fetch(`${a.indexUrl}logs/api/logs`, {
      method: 'POST',
      headers,
      body: JSON.stringify([{ container: 'lb', level: 'INFO', message: 'hello across instances' }]),
    })
    expect(written.status).toBe(202)
    await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 8000))])
    controller.abort()
    expect(received).toContain('event: log')
    expect(received).toContain('hello across instances')
  })

  it('aggregates the points both instances received once', async () => {
    const point = (value: number) => ({ name: 'lb_latency', type: 'histogram', value })
    for (const [server, values] of [
      [a, [1, 2, 3]],
      [b, [4, 5]],
    ] as const) {
      const sent = await fetch(`${server.indexUrl}metrics/api/metrics`, {
        method: 'POST',
        headers,
        body: JSON.stringify(values.map(point)),
      })
      expect(sent.status).toBe(202)
    }
    // Both run the aggregation job every second; one of them (the leader) does it, as often as it likes.
    const total = async (server: RunningCli) => {
      const result = (await (
        await fetch(`${server.indexUrl}metrics/api/metrics?name=lb_latency&period=1h&resolution=minute`, {
          headers,
        })
      ).json()) as { data: { count: number; sum: number }[] }
      return result.data.reduce((sum, bucket) => sum + bucket.count, 0)
    }
    await expect.poll(() => total(a), { timeout: 10_000, interval: 500 }).toBe(5)
    await new Promise((resolve) => setTimeout(resolve, 2500)) // more aggregation runs: still counted once
    expect(await total(a)).toBe(5)
    expect(await total(b)).toBe(5)
  })
})

if (!postgresUrl) printPostgresNotice()
