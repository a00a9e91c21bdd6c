import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createEventStream } from 'h3'
import { describe, expect, it } from 'vitest'
import { createModuleApp, routeMeta } from './module-app.js'

const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) }
const app = createModuleApp({ name: 'compress', auth: false })
app.get('/big', () => big)
app.get('/small', () => ({ ok: true }))
app.post('/big', () => big)
app.get(
  '/stream',
  (event) => {
    const stream = createEventStream(event)
    void stream.push('hello').then(() => stream.close())
    return stream.send()
  },
  routeMeta({ public: true }),
)

const get = (path: string, acceptEncoding?: string, method = 'GET') =>
  app.fetch(
    new Request(`http://test${path}`, {
      method,
      headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
    }),
  )

describe('response compression', () => {
  it('compresses reads of 1 KiB or more with brotli, else gzip, as the client accepts', async () => {
    const br = await get('/big', 'gzip, deflate, br')
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('vary')).toMatch(/accept-encoding/)
    expect(JSON.parse(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString())).toEqual(big)
    const gz = await get('/big', 'gzip')
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gz.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString())).toEqual(big)
  })

  it('leaves alone small answers, writes, clients that accept none, q=0, and event streams', async () => {
    for (const response of [
      await get('/small', 'br'),
      await get('/big', 'br', 'POST'),
      await get('/big'),
      await get('/big', 'br;q=0, gzip;q=0'),
      await get('/stream', 'br'),
    ]) {
      expect(response.headers.get('content-encoding')).toBeNull()
      expect((await response.text()).length).toBeGreaterThan(0)
    }
  })
})
