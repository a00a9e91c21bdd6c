// The shop's checkout, bundled and minified with @sentry/browser by the browser SDK test: its error must come
// back with this file's names, lines and source.
export interface Cart {
  items: { sku: string; price: number }[]
  coupon: string
}

const COUPONS: Record<string, { percent: number }> = { WELCOME10: { percent: 10 } }

function applyCoupon(total: number, code: string): number {
  const coupon = COUPONS[code]
  return total * (1 - (coupon as { percent: number }).percent / 100) // THROWS HERE
}

export function placeOrder(cart: Cart): number {
  const total = cart.items.reduce((sum, item) => sum + item.price, 0)
  return applyCoupon(total, cart.coupon)
}
