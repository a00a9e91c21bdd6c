import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { resolveOptions } from './config.js'
import { MonlightConfigError } from './errors.js'
import { createLogger, parseLogLevel } from './logger.js'

describe('logger', () => {
  const at = () => new Date('2026-11-25T10:00:00.000Z')

  it('writes lines at or above its level, with source and fields', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'warn', name: 'errors', write: (l) => lines.push(l), now: at })
    logger.info('hidden')
    logger.warn('disk low', { free: '2 GiB', pct: 3 })
    logger.child('alerts').error('smtp failed', { error: new Error('timeout') })
    expect(lines[0]).toBe('2026-11-25T10:00:00.000Z WARN  [errors] disk low free="2 GiB" pct=3')
    expect(lines[1]).toMatch(
      /^2026-11-25T10:00:00.000Z ERROR \[errors:alerts\] smtp failed error="Error: timeout/,
    )
    expect(lines).toHaveLength(2)
  })

  it('writes JSON lines for log shippers', () => {
    const lines: string[] = []
    createLogger({ format: 'json', write: (l) => lines.push(l), now: at }).info('hi', { n: 1 })
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-11-25T10:00:00.000Z',
      level: 'info',
      message: 'hi',
      n: 1,
    })
  })

  it('reads LOG_LEVEL values as upstream documented them', () => {
    expect(
      ['err', 'ERROR', 'warning', 'Warn', 'info', 'debug', 'off', 'nope', undefined].map(parseLogLevel),
    ).toEqual(['error', 'error', 'warn', 'warn', 'info', 'debug', 'silent', undefined, undefined])
  })
})

describe('resolveOptions', () => {
  const schema = z.strictObject({ retentionDays: z.int().positive().default(90) })

  it('applies defaults', () => {
    expect(resolveOptions('@monlight/errors', schema, {})).toEqual({ retentionDays: 90 })
  })

  it('throws a config error naming the package and the field', () => {
    const attempt = () => resolveOptions('@monlight/errors', schema, { retentionDays: -1, typo: true })
    expect(attempt).toThrow(MonlightConfigError)
    expect(attempt).toThrow(/^@monlight\/errors: invalid options\n/)
    expect(attempt).toThrow(/retentionDays/)
    expect(attempt).toThrow(/typo/)
  })
})
