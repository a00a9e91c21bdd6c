import { createLogger } from '@monlight/core'
import { expect, it } from 'vitest'
import { createTestRelay, DSN_KEY } from './__fixtures__/harness.js'

it('warns at start about CORS origins a browser can never send, and ignores them', async () => {
  const warnings: string[] = []
  const logger = {
    ...createLogger({ level: 'silent' }),
    warn: (message: string) => void warnings.push(message),
  }
  const { relay } = await createTestRelay({
    corsOrigins: [
      'localhost:3000',
      'https://app.example.com/',
      '*',
      'https://ok.example.com',
      'https://*.example.org',
    ],
    logger,
  })
  expect(warnings).toEqual([
    "CORS origin 'localhost:3000' is not an origin (scheme://host[:port], no path) and is ignored (write http://localhost:3000 or https://localhost:3000)",
    "CORS origin 'https://app.example.com/' is not an origin (scheme://host[:port], no path) and is ignored",
    "CORS origin '*' is not an origin (scheme://host[:port], no path) and is ignored (a pattern keeps its scheme: https://*.example.com)",
  ])
  const preflight = (origin: string) =>
    relay.fetch(
      new Request(`http://relay/api/browser/errors?key=${DSN_KEY}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      }),
    )
  expect((await preflight('https://ok.example.com')).headers.get('access-control-allow-origin')).toBe(
    'https://ok.example.com',
  )
  expect((await preflight('https://a.example.org')).headers.get('access-control-allow-origin')).toBe(
    'https://a.example.org',
  )
})
