import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { apiKeysOption, resolveOptions } from './config.js'

const resolve = (apiKeys: unknown) => () =>
  resolveOptions('@monlight/test', z.strictObject({ apiKeys: apiKeysOption }), { apiKeys })

describe('apiKeysOption', () => {
  it('takes keys or false', () => {
    expect(resolve(['a', 'b'])()).toEqual({ apiKeys: ['a', 'b'] })
    expect(resolve(false)()).toEqual({ apiKeys: false })
  })

  it('says what is wrong and where to look, naming the entry', () => {
    expect(resolve([process.env.MONLIGHT_NO_SUCH_VARIABLE])).toThrow(
      'apiKeys[0] is undefined: is the environment variable that should hold the key set?',
    )
    expect(resolve(['ok', 42])).toThrow('apiKeys[1] must be a string, got number')
    expect(resolve(['ok', ''])).toThrow('an API key must not be empty')
    expect(resolve([])).toThrow(
      'apiKeys is empty: give at least one key, or false when the host authenticates',
    )
    expect(resolve('key')).toThrow(
      'apiKeys must be an array of API keys, or false when the host authenticates',
    )
  })
})
