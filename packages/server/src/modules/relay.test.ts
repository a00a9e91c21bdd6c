import { relayOptionsSchema } from '@monlight/relay'
import { describe, expect, it } from 'vitest'
import { parseScrapeTargets } from './relay.js'

describe('SCRAPE_TARGETS', () => {
  it('reads [job=]url entries with the interval for each', () => {
    expect(parseScrapeTargets(['shop=http://shop:9464/metrics', 'http://node:9100/metrics?x=1'], 30)).toEqual(
      [
        { url: 'http://shop:9464/metrics', job: 'shop', intervalSeconds: 30 },
        { url: 'http://node:9100/metrics?x=1', intervalSeconds: 30 },
      ],
    )
    expect(parseScrapeTargets(['http://a/metrics'], undefined)).toEqual([{ url: 'http://a/metrics' }])
  })

  it('leaves a bad URL to the relay options, which say what to fix', () => {
    const result = relayOptionsSchema.shape.scrape.safeParse(
      parseScrapeTargets(['shop=shop:9464'], undefined),
    )
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/http\(s\) URL such as/)
  })
})
