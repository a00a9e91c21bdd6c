import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { findLocation, fingerprint } from './fingerprint.js'
import { describeError } from './traceback.js'

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

describe('fingerprint (upstream §2.3 worked examples)', () => {
  it('multi-frame Python: the deepest (last) frame', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/app/app/main.py", line 10, in handler',
      '    validate(data)',
      '  File "/app/app/utils/validation.py", line 56, in validate',
      '    raise ValueError("bad")',
      'ValueError: bad',
    ].join('\n')
    expect(fingerprint('myapp', 'ValueError', traceback)).toBe(
      md5('myapp:ValueError:/app/app/utils/validation.py:56'),
    )
  })

  it('Chrome: the first frame, column dropped', () => {
    const traceback = [
      "TypeError: Cannot read properties of undefined (reading 'x')",
      '    at handleClick (http://example.com/app.js:42:15)',
      '    at HTMLButtonElement.<anonymous> (http://example.com/app.js:10:3)',
    ].join('\n')
    expect(fingerprint('myapp', 'TypeError', traceback)).toBe(
      md5('myapp:TypeError:http://example.com/app.js:42'),
    )
  })

  it('Firefox: fn@file:line:col', () => {
    expect(
      findLocation('handleClick@http://example.com/static/app.js:42:15\n@http://example.com/x.js:1:1'),
    ).toEqual({
      file: 'http://example.com/static/app.js',
      line: '42',
    })
  })

  it('deobfuscated frame', () => {
    expect(findLocation('Error: x\n    at X (src/components/UserProfile.tsx:28:12)')).toEqual({
      file: 'src/components/UserProfile.tsx',
      line: '28',
    })
  })

  it('no location: the whole traceback', () => {
    expect(fingerprint('myproject', 'SomeError', 'no traceback here')).toBe(
      md5('myproject:SomeError:no traceback here'),
    )
  })

  it('groups across columns and ignores the message', () => {
    const a = fingerprint('p', 'E', 'E: one\n    at f (app.js:42:15)')
    expect(fingerprint('p', 'E', 'E: two\n    at f (app.js:42:99)')).toBe(a)
    expect(fingerprint('p', 'E', 'E: two\n    at f (app.js:43:15)')).not.toBe(a)
  })

  it('prefers a Python location anywhere over JS frames', () => {
    expect(findLocation('    at f (app.js:1:2)\n  File "/srv/x.py", line 7, in g')).toEqual({
      file: '/srv/x.py',
      line: '7',
    })
  })

  it('skips File " occurrences without a line number', () => {
    expect(findLocation('File "/a.py" oops\n  File "/b.py", line 3')).toEqual({ file: '/b.py', line: '3' })
    expect(findLocation('File "/a.py", line x')).toBeUndefined()
  })

  it('file:line without a column, and a frame without parentheses', () => {
    expect(findLocation('    at http://x/app.js:42')).toEqual({ file: 'http://x/app.js', line: '42' })
    expect(findLocation('    at async /srv/app.mjs:7:3')).toEqual({ file: 'async /srv/app.mjs', line: '7' })
  })

  it('fix: a message line such as "bad data at row:12" is not a frame', () => {
    const traceback = 'Error: bad data at row:12\n    at parse (/srv/import.js:88:9)'
    expect(findLocation(traceback)).toEqual({ file: '/srv/import.js', line: '88' })
    expect(findLocation('Error: bad data at row:12')).toBeUndefined()
  })

  it('a line with "at " elsewhere yields nothing and no @ fallback, as upstream', () => {
    expect(findLocation('failed at mail user@host:25')).toBeUndefined()
  })
})

describe('describeError (in-process capture)', () => {
  it('uses the V8 stack, so the fingerprint is the throw site', () => {
    class PaymentError extends Error {}
    const error = new PaymentError('card declined at step:3')
    const report = describeError(error)
    expect(report.exception_type).toBe('PaymentError')
    expect(report.message).toBe('card declined at step:3')
    expect(report.traceback).toBe(error.stack)
    expect(findLocation(report.traceback)?.file).toMatch(/fingerprint\.test\.ts$/)
  })

  it('appends the cause chain and handles thrown non-errors', () => {
    const report = describeError(new TypeError('outer', { cause: new RangeError('inner') }))
    expect(report.exception_type).toBe('TypeError')
    expect(report.traceback).toContain('Caused by: RangeError: inner')
    expect(describeError('plain string')).toEqual({
      exception_type: 'NonError',
      message: 'plain string',
      traceback: 'NonError: plain string',
    })
    expect(describeError({ code: 1 }).message).toBe('{"code":1}')
  })
})
