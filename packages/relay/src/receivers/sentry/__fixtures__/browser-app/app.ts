import * as Sentry from '@sentry/browser'
import { placeOrder } from './checkout'

interface ShopConfig {
  dsn: string
  release: string
  tunnel?: string
  /** Tags the events, so the test tells the pages apart. */
  transport: string
}

interface Sent {
  type: string
  status: number | undefined
}

const config = (window as unknown as { ShopConfig: ShopConfig }).ShopConfig
const sent: Sent[] = []

Sentry.init({
  dsn: config.dsn,
  ...(config.tunnel !== undefined && { tunnel: config.tunnel }),
  release: config.release,
  environment: 'production',
  sendClientReports: false,
})
// What the SDK got back for every envelope it sent.
Sentry.getClient()?.on('afterSendEvent', (event, response) => {
  sent.push({ type: event.type ?? 'error', status: response.statusCode })
})
Sentry.setTag('transport', config.transport)
Sentry.setTag('checkout_flow', 'one-page')
Sentry.setUser({ id: 'user-7', email: 'ada@example.com' })

document.getElementById('buy')!.addEventListener('click', () => {
  Sentry.addBreadcrumb({ category: 'cart', message: 'added sku-42 to the cart', level: 'info' })
  console.info('placing order for 1 item')
  document.title = `total ${placeOrder({ items: [{ sku: 'sku-42', price: 30 }], coupon: 'SPRING25' })}`
})
document.getElementById('slow')!.addEventListener('click', () => {
  Sentry.captureMessage('Checkout page rendered slowly', 'warning')
})

Object.assign(window, { shop: { sent, flush: () => Sentry.flush(5000) } })
