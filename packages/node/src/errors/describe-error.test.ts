import { describe, expect, it } from 'vitest'
import { describeError } from './describe-error.js'

class PaymentError extends Error {}

describe('describeError', () => {
  it('uses the stack as traceback, starting with the throw site', () => {
    const described = describeError(new TypeError('bad input'))
    expect(described.type).toBe('TypeError')
    expect(described.message).toBe('bad input')
    const lines = described.traceback.split('\n')
    expect(lines[0]).toBe('TypeError: bad input')
    expect(lines[1]).toMatch(/^ {4}at .*describe-error\.test\.ts:\d+:\d+\)?$/)
  })

  it('names subclasses that do not set `name`', () => {
    expect(describeError(new PaymentError('declined')).type).toBe('PaymentError')
  })

  it('appends the cause chain after the frames, so grouping still uses the first frame', () => {
    const root = new Error('connection reset')
    const error = new Error('query failed', { cause: root })
    const { traceback } = describeError(error)
    expect(traceback.indexOf('Error: query failed')).toBe(0)
    expect(traceback).toContain('\nCaused by: Error: connection reset\n    at ')
  })

  it('stops on cyclic causes', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    ;(a as { cause?: unknown }).cause = b
    expect(describeError(b).traceback.match(/Caused by/g)).toHaveLength(1)
  })

  it('lists AggregateError members', () => {
    const { type, traceback } = describeError(new AggregateError([new RangeError('one'), 'two'], 'several'))
    expect(type).toBe('AggregateError')
    expect(traceback).toContain('[errors[0]] RangeError: one')
    expect(traceback).toContain('[errors[1]] two')
  })

  it('describes thrown non-errors', () => {
    expect(describeError('plain string')).toEqual({ type: 'Error', message: 'plain string', traceback: '' })
    expect(describeError({ code: 42 })).toEqual({ type: 'Object', message: '{"code":42}', traceback: '' })
  })
})
