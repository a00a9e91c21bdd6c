import { describe, expect, it } from 'vitest'
import { DEFAULT_SCRUB_KEYS, FILTERED, scrubHeaders, scrubUrl, scrubValues } from './scrub.js'

const keys = [...DEFAULT_SCRUB_KEYS]

describe('scrubbing', () => {
  it('drops excluded headers case-insensitively and joins repeated ones', () => {
    const excluded = new Set(['authorization', 'cookie', 'x-internal'])
    expect(
      scrubHeaders(
        { Authorization: 'Bearer x', Cookie: 'a=1', 'X-Internal': '1', Accept: ['a', 'b'], Host: 'h' },
        excluded,
      ),
    ).toEqual({ accept: 'a, b', host: 'h' })
    expect(scrubHeaders(new Headers({ cookie: 'a', 'user-agent': 'ua' }), excluded)).toEqual({
      'user-agent': 'ua',
    })
  })

  it('replaces sensitive values at any depth', () => {
    expect(
      scrubValues(
        { user: { password: 'p', name: 'n' }, access_token: 't', list: [{ clientSecret: 's' }] },
        keys,
      ),
    ).toEqual({
      user: { password: FILTERED, name: 'n' },
      access_token: FILTERED,
      list: [{ clientSecret: FILTERED }],
    })
  })

  it('replaces sensitive query parameters and keeps the rest of the URL', () => {
    expect(scrubUrl('https://x.test/cb?code=1&token=abc&next=%2Fhome#top', keys)).toBe(
      'https://x.test/cb?code=1&token=%5BFiltered%5D&next=%2Fhome#top',
    )
    expect(scrubUrl('/plain/path', keys)).toBe('/plain/path')
  })
})
