// A plain Node script reporting to the standalone server over HTTP, as any app would: an error through the
// Node SDK's ErrorClient, request metrics through its MetricsClient, and a log line through the logs API.
import { ErrorClient, MetricsClient } from '@monlight/node'

const apiKey = process.env.MONLIGHT_API_KEY ?? 'example-standalone-key'
const errorsUrl = process.env.MONLIGHT_ERRORS_URL ?? 'http://localhost:5010'
const logsUrl = process.env.MONLIGHT_LOGS_URL ?? 'http://localhost:5011'
const metricsUrl = process.env.MONLIGHT_METRICS_URL ?? 'http://localhost:5012'
const project = 'example-standalone'

const errors = new ErrorClient({ baseUrl: errorsUrl, apiKey, project, environment: 'demo' })
const metrics = new MetricsClient({ baseUrl: metricsUrl, apiKey, project })

try {
  JSON.parse('{ not json')
} catch (error) {
  const answer = await errors.report(error, { url: 'https://shop.example.com/cart', method: 'POST' })
  console.log(`error reported: ${JSON.stringify(answer)}`)
}

for (const [status, seconds] of [
  [200, 0.042],
  [200, 0.051],
  [500, 0.31],
]) {
  const labels = { method: 'GET', endpoint: '/cart', status: String(status) }
  metrics.counter('http_requests_total', labels)
  metrics.histogram('http_request_duration_seconds', seconds, labels)
}
await metrics.shutdown()
console.log('metrics sent: 3 requests of GET /cart')

const logged = await fetch(`${logsUrl}/api/logs`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
  body: JSON.stringify([{ container: project, level: 'WARNING', message: 'cart checkout took 310 ms' }]),
})
console.log(`log line sent: ${logged.status}`)
if (!logged.ok) process.exitCode = 1

console.log(`look: ${errorsUrl}/ (errors), ${logsUrl}/ (logs), ${metricsUrl}/dashboard (metrics)`)
