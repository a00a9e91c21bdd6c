import { describe, expect, it } from 'vitest'
import { fileKeys, formatFrame, pagePath, parseFrame } from './stack.js'

describe('stack frames', () => {
  it('parses Chrome/V8 frames', () => {
    expect(parseFrame('    at onClick (https://x.test:8080/static/app.js?v=2:1:2345)')).toEqual({
      style: 'v8',
      indent: '    ',
      fn: 'onClick',
      file: 'https://x.test:8080/static/app.js?v=2',
      line: 1,
      column: 2345,
    })
    expect(parseFrame('at new Widget (app.js:3:4)')).toMatchObject({ fn: 'new Widget', file: 'app.js' })
    expect(parseFrame('    at https://x.test/app.js:10:20')).toMatchObject({ fn: '', line: 10, column: 20 })
    expect(parseFrame('    at async Promise.all (index 0)')).toBeUndefined()
  })

  it('parses Firefox and Safari frames', () => {
    expect(parseFrame('handleClick@https://x.test/app.js:1:99')).toMatchObject({
      style: 'gecko',
      fn: 'handleClick',
      column: 99,
    })
    expect(parseFrame('@https://x.test/app.js:1:99')).toMatchObject({ style: 'gecko', fn: '' })
    expect(parseFrame('global code@https://x.test/app.js:5:6')).toMatchObject({ fn: 'global code', line: 5 })
    expect(parseFrame('https://x.test/app.js:5:6')).toMatchObject({ style: 'gecko', fn: '', line: 5 })
    expect(parseFrame('TypeError: x is undefined')).toBeUndefined()
    expect(parseFrame('[native code]')).toBeUndefined()
  })

  it('formats frames back in their engine style', () => {
    const v8 = parseFrame('  at a (app.js:1:1)')!
    expect(formatFrame(v8, { source: 'src/a.ts', line: 3, column: 5, name: 'handle' })).toBe(
      '  at handle (src/a.ts:3:5)',
    )
    expect(formatFrame({ ...v8, fn: '' }, { source: 's.ts', line: 1, column: 1 })).toBe('  at s.ts:1:1')
    expect(formatFrame(parseFrame('a@app.js:1:1')!, { source: 's.ts', line: 2, column: 3 })).toBe(
      'a@s.ts:2:3',
    )
  })

  it('derives lookup keys without scheme, host, query and hash', () => {
    expect(fileKeys('https://cdn.test/static/app.js?v=3#x')).toEqual([
      '/static/app.js',
      'https://cdn.test/static/app.js',
    ])
    expect(fileKeys('https://cdn.test')).toEqual(['/', 'https://cdn.test'])
    expect(fileKeys('app.min.js')).toEqual(['app.min.js'])
    expect(pagePath('https://example.com/dashboard?tab=1')).toBe('/dashboard')
    expect(pagePath('https://example.com')).toBe('/')
  })
})
