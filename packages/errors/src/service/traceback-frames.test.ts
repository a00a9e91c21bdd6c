import { seededRandom } from '@monlight/test-utils'
import { describe, expect, it } from 'vitest'
import { pythonReport } from '../test-support.js'
import { fingerprint } from './fingerprint.js'
import { describeError } from './traceback.js'
import { eventFromTraceback, parseTraceback } from './traceback-frames.js'
import { toStoredReport } from './validate.js'

const PYTHON = [
  'Traceback (most recent call last):',
  '  File "/app/app/main.py", line 10, in handler',
  '    validate(data)',
  '  File "/usr/local/lib/python3.12/site-packages/pydantic/main.py", line 212, in validate',
  '    return cls.model_validate(obj)',
  '  File "/usr/lib/python3.12/json/decoder.py", line 337, in decode',
  '    obj, end = self.raw_decode(s, idx=_w(s, 0).end())',
  '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
  '  File "/app/app/utils/validation.py", line 56, in <module>',
  '    raise ValueError("bad")',
  'ValueError: bad',
].join('\n')

const V8 = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at total (/app/src/cart.js:42:15)',
  '    at async checkout (file:///app/src/checkout.mjs:7:3)',
  '    at Array.map (<anonymous>)',
  '    at new Order (C:\\app\\src\\order.js:3:9)',
  '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at /app/src/main.js:1:1',
].join('\n')

describe('parseTraceback: Python', () => {
  it('frames oldest first with their source line, library and standard library frames not in app', () => {
    expect(parseTraceback(PYTHON)).toEqual({
      platform: 'python',
      exceptions: [
        {
          type: 'ValueError',
          value: 'bad',
          frames: [
            {
              filename: '/app/app/main.py',
              lineno: 10,
              function: 'handler',
              context_line: 'validate(data)',
              in_app: true,
            },
            {
              filename: '/usr/local/lib/python3.12/site-packages/pydantic/main.py',
              lineno: 212,
              function: 'validate',
              context_line: 'return cls.model_validate(obj)',
              in_app: false,
            },
            {
              filename: '/usr/lib/python3.12/json/decoder.py',
              lineno: 337,
              function: 'decode',
              context_line: 'obj, end = self.raw_decode(s, idx=_w(s, 0).end())',
              in_app: false,
            },
            {
              filename: '/app/app/utils/validation.py',
              lineno: 56,
              function: '<module>',
              context_line: 'raise ValueError("bad")',
              in_app: true,
            },
          ],
        },
      ],
    })
  })

  it('frames without source, without function, Windows paths, CRLF, a preamble and repeated lines', () => {
    const text = [
      'ERROR:root:request failed',
      'Traceback (most recent call last):\r',
      '  File "<stdin>", line 1, in <module>\r',
      '  File "C:\\app\\lib\\site-packages\\x\\y.py", line 3, in f\r',
      '    f()\r',
      '  [Previous line repeated 996 more times]\r',
      '  File "<frozen importlib._bootstrap>", line 1360, in _find_and_load\r',
      '  File "/srv/bad.py", line 2\r',
      '    def f(:\r',
      '          ^\r',
      'RecursionError: maximum recursion depth exceeded\r',
    ].join('\n')
    const [exception] = parseTraceback(text).exceptions
    expect(exception).toEqual({
      type: 'RecursionError',
      value: 'maximum recursion depth exceeded',
      frames: [
        { filename: '<stdin>', lineno: 1, function: '<module>', in_app: true },
        {
          filename: 'C:\\app\\lib\\site-packages\\x\\y.py',
          lineno: 3,
          function: 'f',
          context_line: 'f()',
          in_app: false,
        },
        {
          filename: '<frozen importlib._bootstrap>',
          lineno: 1360,
          function: '_find_and_load',
          in_app: false,
        },
        { filename: '/srv/bad.py', lineno: 2, context_line: 'def f(:', in_app: true },
      ],
    })
    expect(parseTraceback(text).exceptions).toHaveLength(1)
  })

  it('a chain: causes first, the raised exception last, each with its frames', () => {
    const text = [
      'Traceback (most recent call last):',
      '  File "/app/db.py", line 5, in connect',
      '    sock.connect(addr)',
      'ConnectionRefusedError: [Errno 111] Connection refused',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/repo.py", line 9, in load',
      '    raise StorageError("db down") from exc',
      'app.errors.StorageError: db down',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/view.py", line 3, in show',
      '    render(error_page)',
      "KeyError: 'template'",
    ].join('\n')
    const { exceptions } = parseTraceback(text)
    expect(exceptions.map(({ type, value }) => [type, value])).toEqual([
      ['ConnectionRefusedError', '[Errno 111] Connection refused'],
      ['app.errors.StorageError', 'db down'],
      ['KeyError', "'template'"],
    ])
    expect(exceptions.map((e) => e.frames.map((f) => f.function))).toEqual([['connect'], ['load'], ['show']])
  })

  it('a multi-line message stays one value; a cause raised without a traceback has no frames', () => {
    const text = [
      'ValueError: first',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/x.py", line 1, in f',
      'pydantic.ValidationError: 2 errors',
      'name',
      '  field required',
    ].join('\n')
    expect(parseTraceback(text).exceptions).toEqual([
      { type: 'ValueError', value: 'first', frames: [] },
      {
        type: 'pydantic.ValidationError',
        value: '2 errors\nname\nfield required',
        frames: [{ filename: '/app/x.py', lineno: 1, function: 'f', in_app: true }],
      },
    ])
  })
})

describe('parseTraceback: JavaScript', () => {
  it('V8: reversed to oldest first; node_modules, node: and native frames not in app', () => {
    expect(parseTraceback(V8)).toEqual({
      platform: 'javascript',
      exceptions: [
        {
          type: 'TypeError',
          value: "Cannot read properties of undefined (reading 'id')",
          frames: [
            { filename: '/app/src/main.js', lineno: 1, colno: 1, in_app: true },
            {
              function: 'process.processTicksAndRejections',
              filename: 'node:internal/process/task_queues',
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            {
              function: 'Layer.handle [as handle_request]',
              filename: '/app/node_modules/express/lib/router/layer.js',
              lineno: 95,
              colno: 5,
              in_app: false,
            },
            { function: 'new Order', filename: 'C:\\app\\src\\order.js', lineno: 3, colno: 9, in_app: true },
            { function: 'Array.map', filename: '<anonymous>', in_app: false },
            {
              function: 'checkout',
              filename: 'file:///app/src/checkout.mjs',
              lineno: 7,
              colno: 3,
              in_app: true,
            },
            { function: 'total', filename: '/app/src/cart.js', lineno: 42, colno: 15, in_app: true },
          ],
        },
      ],
    })
  })

  it('V8 odd frames: eval, native, async Promise.all, <anonymous>, URL with a port', () => {
    const text = [
      'Error: x',
      '    at eval (eval at run (/app/src/run.js:3:1), <anonymous>:1:7)',
      '    at Function.from (native)',
      '    at async Promise.all (index 0)',
      '    at <anonymous>',
      '    at onClick (http://localhost:3000/static/app.js:42:15)',
    ].join('\n')
    expect(parseTraceback(text).exceptions[0]!.frames).toEqual([
      {
        function: 'onClick',
        filename: 'http://localhost:3000/static/app.js',
        lineno: 42,
        colno: 15,
        in_app: true,
      },
      { function: '<anonymous>', in_app: false },
      { function: 'Promise.all', in_app: false },
      { function: 'Function.from', filename: 'native', in_app: false },
      { function: 'eval', filename: '<anonymous>', lineno: 1, colno: 7, in_app: false },
    ])
  })

  it('`Caused by:` (describeError) makes a chain, causes first', () => {
    const inner = new Error('socket hang up')
    const outer = new TypeError('fetch failed', { cause: inner })
    const { traceback } = describeError(outer)
    const { exceptions } = parseTraceback(traceback)
    expect(exceptions.map(({ type, value }) => [type, value])).toEqual([
      ['Error', 'socket hang up'],
      ['TypeError', 'fetch failed'],
    ])
    // The innermost frame (this test) is the last of each stack.
    for (const exception of exceptions) {
      expect(exception.frames.length).toBeGreaterThan(0)
      expect(exception.frames.at(-1)!.filename).toContain('traceback-frames.test.ts')
      expect(exception.frames.at(-1)!.in_app).toBe(true)
    }
  })

  it('Firefox and Safari: fn@file:line:col, reversed; a message line is not a frame', () => {
    const text = [
      'handleClick@https://example.com/static/app.js:42:15',
      'dispatch/<@https://example.com/static/vendor.js:3:1',
      '@https://example.com/static/app.js:1:1',
      'forEach@[native code]',
    ].join('\n')
    expect(parseTraceback(text)).toEqual({
      platform: 'javascript',
      exceptions: [
        {
          type: '',
          value: '',
          frames: [
            { function: 'forEach', filename: '[native code]', in_app: false },
            { filename: 'https://example.com/static/app.js', lineno: 1, colno: 1, in_app: true },
            {
              function: 'dispatch/<',
              filename: 'https://example.com/static/vendor.js',
              lineno: 3,
              colno: 1,
              in_app: true,
            },
            {
              function: 'handleClick',
              filename: 'https://example.com/static/app.js',
              lineno: 42,
              colno: 15,
              in_app: true,
            },
          ],
        },
      ],
    })
    expect(parseTraceback('mail me at a@b.example')).toEqual({ exceptions: [] })
    expect(parseTraceback('bad data at row:12')).toEqual({ exceptions: [] })
  })

  it('nothing to parse: no frames, no platform', () => {
    for (const text of ['', 'NonError: {"a":1}', 'Something failed', '\n\n']) {
      expect(parseTraceback(text)).toEqual({ exceptions: [] })
    }
  })
})

describe('eventFromTraceback', () => {
  it('the report type and message name the raised exception; the shape is always the same', () => {
    expect(eventFromTraceback('ValueError', 'bad', PYTHON)).toEqual({
      derived: true,
      platform: 'python',
      exceptions: [
        { type: 'ValueError', value: 'bad', frames: parseTraceback(PYTHON).exceptions[0]!.frames },
      ],
    })
    expect(eventFromTraceback('NonError', 'x', 'NonError: x')).toEqual({
      derived: true,
      exceptions: [{ type: 'NonError', value: 'x', frames: [] }],
    })
    expect(eventFromTraceback('', '', '')).toEqual({
      derived: true,
      exceptions: [{ type: '', value: '', frames: [] }],
    })
    // Empty type and message: the traceback's own.
    expect(eventFromTraceback('', '', 'Error: from text\n    at f (/a.js:1:1)').exceptions).toEqual([
      {
        type: 'Error',
        value: 'from text',
        frames: [{ function: 'f', filename: '/a.js', lineno: 1, colno: 1, in_app: true }],
      },
    ])
  })

  it('bounded as any event, with the cut noted', () => {
    const frames = Array.from({ length: 1000 }, (_, i) => `    at f${i} (/app/f.js:${i + 1}:1)`)
    const event = eventFromTraceback(
      'RangeError',
      'Maximum call stack size exceeded',
      ['RangeError: x', ...frames].join('\n'),
    )
    expect(event.exceptions![0]!.frames).toHaveLength(200)
    expect(event.truncated).toEqual(['exceptions[0].frames: kept 200 of 1000'])
    const long = eventFromTraceback('E', 'm', `  File "/a.py", line 1, in ${'f'.repeat(5000)}\nE: m`)
    expect(long.exceptions![0]!.frames[0]!.function).toHaveLength(1024)
  })

  it('never throws and stays fast on random and hostile text', () => {
    const random = seededRandom(7)
    const pieces = [
      '  File "',
      '", line ',
      '12',
      ', in ',
      'at ',
      ' (',
      ')',
      ':',
      '@',
      '\n',
      '    ',
      'Caused by: ',
      'Traceback (most recent call last):',
      'During handling of the above exception, another exception occurred:',
      '^^^',
      '|',
      '\u0000',
      '\ud800',
      'x',
      'eval at ',
      ', ',
    ]
    for (let round = 0; round < 500; round++) {
      let text = ''
      for (let i = Math.floor(random() * 60); i > 0; i--) text += pieces[Math.floor(random() * pieces.length)]
      const event = eventFromTraceback('E', 'm', text)
      expect(event.derived).toBe(true)
      expect(event.exceptions!.at(-1)).toMatchObject({ type: 'E', value: 'm' })
      expect(() => JSON.stringify(event)).not.toThrow()
    }
    const started = performance.now()
    for (const text of [
      'a:1'.repeat(80_000),
      `  File "${'"'.repeat(80_000)}`,
      `    at ${'('.repeat(80_000)}`,
      '@'.repeat(250_000),
      `${'1:'.repeat(120_000)}x`,
      '\n'.repeat(250_000),
    ]) {
      eventFromTraceback('E', 'm', text)
    }
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('does not change the fingerprint: grouping still reads the text', () => {
    const report = pythonReport({ traceback: PYTHON, exception_type: 'ValueError' })
    expect(toStoredReport(report, Date.now()).fingerprint).toBe(
      fingerprint(report.project, 'ValueError', PYTHON),
    )
  })
})
