// A Node app instrumented with the real @sentry/node, as a user's would be: DSN from the environment, logs and
// tracing on. It reports, then flushes and exits (the test reads what arrived).
import * as Sentry from '@sentry/node'

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: 'shop@1.4.2',
  environment: 'staging',
  serverName: 'web-1',
  enableLogs: true,
  tracesSampleRate: 1,
  sendClientReports: true,
})

Sentry.setTag('region', 'eu-west')
Sentry.setUser({ id: 'user-42', email: 'ada@example.com' })
Sentry.addBreadcrumb({ category: 'cart', message: 'added item sku-991', level: 'info', data: { qty: 2 } })

function chargeCard(order) {
  throw new TypeError(`Cannot charge order ${order.id}: card declined`)
}
try {
  chargeCard({ id: 1234 })
} catch (error) {
  Sentry.captureException(error)
}
Sentry.captureMessage('Inventory sync finished with warnings', 'warning')
Sentry.logger.info('order placed', { order_id: 1234, amount: 99.5 })
Sentry.logger.error('payment gateway timeout', { gateway: 'acme' })

await Sentry.startSpan(
  {
    name: 'GET /orders/:id',
    op: 'http.server',
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
  },
  async () => {
    await new Promise((resolve) => setTimeout(resolve, 20))
  },
)

// A big event: @sentry/node gzips bodies over 32 KiB.
Sentry.withScope((scope) => {
  scope.setContext('payload', { blob: 'x'.repeat(40_000) })
  Sentry.captureException(new RangeError('payload too large for the queue'))
})

// An unhandled rejection, reported by the SDK's own integration.
process.on('unhandledRejection', () => {})
Promise.reject(new Error('unhandled: lost connection to the database'))
await new Promise((resolve) => setTimeout(resolve, 100))

await Sentry.flush(10_000)
process.exit(0)
