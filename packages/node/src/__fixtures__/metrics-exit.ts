import { MetricsClient } from '../metrics/metrics-client.js'

const metrics = new MetricsClient({ baseUrl: process.argv[2], apiKey: 'k', flushIntervalMs: 200 })
metrics.counter('from_child')
await new Promise((resolve) => setTimeout(resolve, 500))
