import { describe, expect, it } from 'vitest'
import { envReader } from './env.js'

describe('envReader', () => {
  const env = envReader({
    EMPTY: '  ',
    PORT: '587',
    BIG: '70000',
    HOURS: '0.5',
    KEYS: ' a, ,b ,',
    URL: 'https://hooks.example/x',
    BAD_URL: 'hooks.example',
    FORMAT: 'Slack',
  })

  it('reads text, lists, numbers, URLs and choices, with empty values as unset', () => {
    expect(env.text('EMPTY')).toBeUndefined()
    expect(env.list('KEYS')).toEqual(['a', 'b'])
    expect(env.list('MISSING')).toEqual([])
    expect(env.integer('PORT', { min: 1, max: 65535 })).toBe(587)
    expect(env.integer('MISSING')).toBeUndefined()
    expect(env.positive('HOURS')).toBe(0.5)
    expect(env.url('URL')).toBe('https://hooks.example/x')
    expect(env.choice('FORMAT', ['json', 'slack', 'discord'] as const)).toBe('slack')
  })

  it('names the variable and the rule when a value is bad', () => {
    expect(() => env.integer('BIG', { min: 1, max: 65535 })).toThrow(
      'BIG=70000 is invalid: use a whole number from 1 to 65535',
    )
    expect(() => env.integer('HOURS')).toThrow('HOURS=0.5 is invalid: use a whole number 1 or more')
    expect(() => env.positive('KEYS')).toThrow('KEYS=a, ,b , is invalid: use a positive number')
    expect(() => env.url('BAD_URL')).toThrow(
      'BAD_URL=hooks.example is invalid: use an http:// or https:// URL',
    )
    expect(() => env.choice('PORT', ['json', 'slack'] as const)).toThrow(
      'PORT=587 is invalid: use json, slack',
    )
  })
})
