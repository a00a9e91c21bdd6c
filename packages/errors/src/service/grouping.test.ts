import type { ErrorEvent, ExceptionInfo, StackFrame } from '@monlight/core'
import { describe, expect, it } from 'vitest'
import { pythonReport } from '../test-support.js'
import { fingerprint } from './fingerprint.js'
import { groupingKey, maskVariables, normalizeFile } from './grouping.js'
import { toStoredReport } from './validate.js'

const frame = (fn: string, file: string, lineno: number, extra: Partial<StackFrame> = {}): StackFrame => ({
  function: fn,
  filename: file,
  lineno,
  colno: 3,
  in_app: true,
  ...extra,
})

/** A raised TypeError with these frames (oldest first), optionally after a cause. */
const thrown = (frames: StackFrame[], overrides: Partial<ExceptionInfo> = {}): ErrorEvent => ({
  exceptions: [
    { type: 'TypeError', value: "Cannot read properties of undefined (reading 'id')", frames, ...overrides },
  ],
})

const key = (event: ErrorEvent, project = 'shop', type = 'TypeError', message = 'boom') =>
  groupingKey(project, type, message, event)

const appFrames = [
  frame('main', 'src/main.ts', 10),
  frame('checkout', 'src/checkout.ts', 42),
  frame('total', 'src/cart.ts', 7),
]

describe('groupingKey', () => {
  it('is 32 hex characters and depends on the project', () => {
    expect(key(thrown(appFrames))).toMatch(/^[0-9a-f]{32}$/)
    expect(key(thrown(appFrames), 'shop')).not.toBe(key(thrown(appFrames), 'blog'))
  })

  it('takes the SDK fingerprint over everything else', () => {
    const a = { ...thrown(appFrames), fingerprint: ['checkout-failed'] }
    const b = {
      ...thrown([frame('other', 'src/other.ts', 1)], { type: 'RangeError' }),
      fingerprint: ['checkout-failed'],
    }
    expect(key(a)).toBe(key(b))
    expect(key(a)).not.toBe(key(thrown(appFrames)))
    expect(key(a)).not.toBe(key({ ...a, fingerprint: ['checkout-failed', 'eu'] }))
    // A custom part never collides with a default component of the same text.
    expect(key({ fingerprint: ['type:TypeError', 'value:'] })).not.toBe(
      key({ exceptions: [{ type: 'TypeError', value: '', frames: [] }] }),
    )
  })

  it('expands {{ default }} to the default grouping', () => {
    const plain = thrown(appFrames)
    expect(key({ ...plain, fingerprint: ['{{ default }}'] })).toBe(key(plain))
    expect(key({ ...plain, fingerprint: ['{{default}}'] })).toBe(key(plain))
    const perTenant = (tenant: string, frames: StackFrame[]) => ({
      ...thrown(frames),
      fingerprint: ['{{ default }}', tenant],
    })
    expect(key(perTenant('acme', appFrames))).not.toBe(key(plain))
    expect(key(perTenant('acme', appFrames))).not.toBe(key(perTenant('globex', appFrames)))
    // Still the default inside: other frames make another group.
    expect(key(perTenant('acme', appFrames))).not.toBe(key(perTenant('acme', appFrames.slice(1))))
  })

  it('groups in-app frames regardless of line and column numbers (a deploy that moves code keeps the group)', () => {
    const moved = appFrames.map((f, i) => ({
      ...f,
      lineno: f.lineno! + 100 + i,
      colno: 9,
      context_line: `x${i}`,
    }))
    expect(key(thrown(moved))).toBe(key(thrown(appFrames)))
    // ...and regardless of the message: the frames say where it happened.
    expect(key(thrown(appFrames, { value: 'another text' }))).toBe(key(thrown(appFrames)))
  })

  it('splits different in-app functions, files and exception types', () => {
    const base = key(thrown(appFrames))
    expect(key(thrown([...appFrames.slice(0, 2), frame('subtotal', 'src/cart.ts', 7)]))).not.toBe(base)
    expect(key(thrown([...appFrames.slice(0, 2), frame('total', 'src/basket.ts', 7)]))).not.toBe(base)
    expect(key(thrown(appFrames, { type: 'RangeError' }))).not.toBe(base)
    expect(key(thrown(appFrames.slice(1)))).not.toBe(base)
  })

  it('ignores library frames (in_app false or unset)', () => {
    const base = key(thrown(appFrames))
    const withLibraries = [
      frame('runMicrotasks', 'node:internal/process/task_queues', 95, { in_app: false }),
      appFrames[0]!,
      frame('handle', 'node_modules/express/lib/router/layer.js', 95, { in_app: false }),
      { function: 'dispatch', filename: 'node_modules/x/index.js', lineno: 1 },
      appFrames[1]!,
      appFrames[2]!,
      frame('get', 'node_modules/lodash/get.js', 12, { in_app: false }),
    ]
    expect(key(thrown(withLibraries))).toBe(base)
    const otherLibraries = withLibraries.map((f) => (f.in_app === true ? f : { ...f, function: 'changed' }))
    expect(key(thrown(otherLibraries))).toBe(base)
  })

  it('tells anonymous and top-level frames apart by their source line, not its number', () => {
    const anonymous = (line: string, lineno = 5, fn?: string) =>
      thrown([
        frame('main', 'src/main.ts', 1),
        { ...frame(fn ?? '', 'src/main.ts', lineno, { context_line: line }) },
      ])
    const a = key(anonymous('  items.map((i) => i.id)'))
    expect(key(anonymous('items.map((i) => i.id)   ', 80))).toBe(a)
    expect(key(anonymous('  users.map((u) => u.id)'))).not.toBe(a)
    for (const fn of ['<anonymous>', '?']) expect(key(anonymous('  items.map((i) => i.id)', 9, fn))).toBe(a)
    // A named function ignores its source line.
    expect(key(anonymous('a', 1, 'named'))).toBe(key(anonymous('b', 2, 'named')))
    // Generated suffixes (`handler$1`) are one function.
    expect(key(thrown([frame('handler$1', 'src/h.ts', 1)]))).toBe(
      key(thrown([frame('handler$2', 'src/h.ts', 9)])),
    )
  })

  it('prefers the module to the file name, and only the 20 frames nearest the throw count', () => {
    const python = (file: string) =>
      thrown([{ function: 'charge', module: 'billing.payments', filename: file, lineno: 3, in_app: true }])
    expect(key(python('/srv/a/billing/payments.py'))).toBe(key(python('/opt/b/billing/payments.py')))
    const deep = Array.from({ length: 30 }, (_, i) => frame(`f${i}`, 'src/deep.ts', i))
    const outerChanged = deep.map((f, i) => (i < 10 ? { ...f, function: `outer${i}` } : f))
    expect(key(thrown(outerChanged))).toBe(key(thrown(deep)))
    const innerChanged = deep.map((f, i) => (i === 29 ? { ...f, function: 'inner' } : f))
    expect(key(thrown(innerChanged))).not.toBe(key(thrown(deep)))
  })

  it('groups by the raised exception, the last of the chain', () => {
    const withCause = (cause: string): ErrorEvent => ({
      exceptions: [
        { type: 'ConnectionError', value: cause, frames: [frame('connect', 'src/db.ts', 1)] },
        ...thrown(appFrames).exceptions!,
      ],
    })
    expect(key(withCause('refused'))).toBe(key(withCause('timed out')))
    expect(key(withCause('refused'))).toBe(key(thrown(appFrames)))
  })

  it('without in-app frames: the type and the message with numbers, hex and UUIDs masked', () => {
    const noApp = (value: string, type = 'OrderError') =>
      key(thrown([frame('x', 'node_modules/x.js', 1, { in_app: false })], { type, value }))
    expect(noApp('order 1234 failed')).toBe(noApp('order 99 failed'))
    expect(noApp('order 1234 failed')).toBe(noApp('order 3.5 failed'))
    expect(noApp('order 1234 failed')).not.toBe(noApp('order 1234 lost'))
    expect(noApp('order 1234 failed')).not.toBe(noApp('order 1234 failed', 'PaymentError'))
    expect(noApp('user 3f2a9b1c7d missing')).toBe(noApp('user 0a1b2c3d4e5f missing'))
    expect(noApp('at 0xdeadbeef')).toBe(noApp('at 0x1F'))
    expect(noApp('row 9b2f1c3a-0000-4000-8000-00000000abcd gone')).toBe(
      noApp('row 00000000-1111-4222-8333-444444444444 gone'),
    )
    // Words made of hex letters are words.
    expect(noApp('decade facade')).not.toBe(noApp('accede efface'))
    // No frames at all: the same rule.
    expect(key({ exceptions: [{ type: 'OrderError', value: 'order 1 failed', frames: [] }] })).toBe(
      noApp('order 2 failed'),
    )
  })

  it('a synthetic exception without a type (captureMessage) groups by its message', () => {
    const message = (text: string, frames: StackFrame[] = appFrames) =>
      key({ exceptions: [{ type: '', value: text, frames }] }, 'shop', 'Message', text)
    expect(message('Payment declined for order 42')).toBe(message('Payment declined for order 43'))
    expect(message('Payment declined for order 42')).not.toBe(message('Refund declined for order 42'))
    // Frames do not split a message: its stack is where it was logged, not a cause.
    expect(message('Payment declined', appFrames)).toBe(message('Payment declined', appFrames.slice(1)))
    // `message` of the event wins over the exception's value; without either, the report's message.
    expect(
      key(
        { message: 'Quota 5 hit', exceptions: [{ type: '', value: 'x', frames: [] }] },
        'shop',
        'Message',
        'y',
      ),
    ).toBe(key({ message: 'Quota 7 hit' }, 'shop', 'Message', 'z'))
    expect(key({}, 'shop', 'Message', 'disk 91% full')).toBe(key({}, 'shop', 'Message', 'disk 97% full'))
  })
})

describe('maskVariables', () => {
  it('masks numbers, hex, UUIDs, and cuts at 1024 characters', () => {
    expect(maskVariables('order 1234 failed after 2.5s')).toBe('order <n> failed after <n>s')
    expect(maskVariables('ptr 0xFF00 id deadbeef01 uuid 9B2F1C3A-0000-4000-8000-00000000ABCD')).toBe(
      'ptr <hex> id <hex> uuid <uuid>',
    )
    expect(maskVariables('facade decade')).toBe('facade decade')
    expect(maskVariables('x'.repeat(5000))).toHaveLength(1024)
  })
})

describe('normalizeFile', () => {
  it.each([
    ['https://cdn.example.com/static/app.3f9a1c2b.js?v=2#top', 'static/app.js'],
    ['http://localhost:3000/app.js', 'app.js'],
    ['file:///app/src/cart.js', 'app/src/cart.js'],
    ['app:///dist/main.js', 'dist/main.js'],
    ['/home/ci/build/123/node_modules/lodash/get.js', 'node_modules/lodash/get.js'],
    ['/assets/index-4f3a2c1d.js', 'assets/index.js'],
    ['/static/js/main.8f3a2c1d.chunk.js', 'static/js/main.chunk.js'],
    ['/static/js/vendor.8f3a2c1d.min.js', 'static/js/vendor.min.js'],
    ['src/user-facade.js', 'src/user-facade.js'],
    ['src/cafe.js', 'src/cafe.js'],
    ['/srv/app/billing.py', 'srv/app/billing.py'],
    ['webpack://shop/./src/cart.ts', './src/cart.ts'],
    ['', ''],
  ])('%s → %s', (file, expected) => {
    expect(normalizeFile(file)).toBe(expected)
  })

  it('makes builds of one file group together', () => {
    const build = (file: string) => thrown([frame('total', file, 1)])
    expect(key(build('https://cdn.a.com/assets/app.1a2b3c4d.js'))).toBe(
      key(build('https://cdn.b.com/assets/app.9f8e7d6c.js?x=1')),
    )
  })
})

describe('upstream reports (no event) keep upstream fingerprints', () => {
  it('a report without event gets fingerprint(project, type, traceback), bit for bit', () => {
    for (const report of [
      pythonReport(),
      pythonReport({ traceback: '' }),
      pythonReport({
        traceback: 'TypeError: x\n    at onClick (app.min.js:1:2345)',
        exception_type: 'TypeError',
      }),
      pythonReport({ traceback: 'no location at all', message: 'order 1234 failed' }),
      // The whole text as sent, NUL and surrounding blanks included.
      pythonReport({ traceback: '  no location\u0000 at all \n', message: 'order 1234 failed' }),
      { ...pythonReport(), event: null },
    ]) {
      const stored = toStoredReport(report, Date.now())
      expect(stored.fingerprint).toBe(fingerprint(report.project, report.exception_type, report.traceback))
      expect(stored.event).toBeNull()
    }
  })

  it('a report with an event groups by groupingKey instead', () => {
    const event = thrown(appFrames)
    const stored = toStoredReport(pythonReport({ event }), Date.now())
    expect(stored.fingerprint).toBe(groupingKey('e2e-test', 'TestError', 'Something failed', event))
    expect(stored.fingerprint).not.toBe(fingerprint('e2e-test', 'TestError', pythonReport().traceback))
  })
})
