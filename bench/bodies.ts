// Request bodies more than one benchmark sends.

export const KNOWN_GROUPS = 200
export const NEW_EVERY = 10

let sequence = 0
/** The next Python-client-shaped report (~700 bytes): 1 in NEW_EVERY a new group, else one of KNOWN_GROUPS. */
export function errorReport(): string {
  const n = sequence++
  const group = n % NEW_EVERY === 0 ? `New${n}` : `Known${n % KNOWN_GROUPS}`
  return JSON.stringify({
    project: 'bench',
    exception_type: `${group}Error`,
    message: `request ${n} failed: value out of range`,
    traceback: `Traceback (most recent call last):\n  File "/app/api/handlers.py", line 88, in create_order\n    total = price(items)\n  File "/app/api/pricing.py", line ${n % KNOWN_GROUPS}, in price\n    raise ${group}Error("value out of range")\n${group}Error: value out of range`,
    request_url: 'https://shop.example.com/api/orders?page=2',
    request_method: 'POST',
    request_headers: { 'user-agent': 'python-httpx/0.27', accept: 'application/json' },
    user_id: `user-${n % 1000}`,
    extra: { order_id: n, region: 'eu-west-1' },
    environment: 'production',
  })
}
