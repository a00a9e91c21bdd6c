import { MetricsClient } from '../metrics/metrics-client.js'
import { flushOnShutdown } from '../shutdown.js'

// A long-running app with no SIGTERM handler of its own: the hook must flush, then let the signal end it.
const metrics = new MetricsClient({ baseUrl: process.argv[2], apiKey: 'k', flushIntervalMs: 60_000 })
flushOnShutdown(() => metrics.flush())
metrics.counter('before_sigterm')
setInterval(() => {}, 1000)
process.stdout.write('ready\n')
