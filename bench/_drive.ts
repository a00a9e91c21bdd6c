import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'

const url = process.argv[2]
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
            context_line: 'throw new TypeError()',
            post_context: ['a', 'b', 'c', 'd', 'e'],
          })),
        },
      },
    ],
  },
  breadcrumbs: Array.from({ length: 12 }, (_, i) => ({
    timestamp: 1,
    message: `m${i}`,
    category: 'console',
  })),
  contexts: { os: { name: 'Linux' }, runtime: { name: 'node', version: '20' } },
  tags: { a: 'b' },
  user: { id: 'u' },
  platform: 'node',
  release: 'r1',
  environment: 'production',
  server_name: 'web',
})
let n = 0
const result = await autocannon({
  url: `${url}/api/1/envelope/?sentry_key=0123456789abcdef0123456789abcdef`,
  connections: 32,
  duration: 6,
  method: 'POST',
  requests: [
    {
      setupRequest: (r: Record<string, unknown>) => {
        const id = randomBytes(16).toString('hex')
        const p = payload
          .replace('"exception"', `"event_id":"${id}","timestamp":${Date.now() / 1000},"exception"`)
          .replace('"value":"x"', `"value":"x${n++ % 200}"`)
        r.body = `{"event_id":"${id}"}\n{"type":"event"}\n${p}`
        return r
      },
    },
  ],
})
console.log(result.requests.average, result.non2xx, result.errors)
