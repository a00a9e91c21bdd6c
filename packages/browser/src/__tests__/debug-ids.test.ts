import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

const APP = 'https://shop.example.com/static/app.3f2a9c.js'
const VENDOR = 'https://unpkg.com/vendor-lib@4.0.1/dist/vendor.min.js'
const CHUNK = 'https://cdn.jsdelivr.net/npm/@shop/widgets@1.2.3/dist/chunk.js'
const LAZY = 'http://localhost:5173/assets/lazy-Bx1.js'
const IDS = {
  app: '06a4bf03-ffb2-51d5-8c17-925df12d5eb9',
  vendor: '5bd1a2e4-0c6f-4c6a-9d55-3f0e8a7b6c21',
  chunk: 'b8e1c3f0-7a2d-4e9b-8c61-0d4f5a6b7c8d',
  lazy: 'c0ffee00-1234-4abc-8def-0123456789ab',
}

/** Stacks as each engine records them in the snippet `sentry-cli sourcemaps inject` puts at the top of a file. */
const KEYS = {
  chrome: `Error\n    at ${APP}:1:95\n    at ${APP}:1:361`,
  chromeNamed: `Error\n    at Object.<anonymous> (${VENDOR}:2:17)\n    at ${VENDOR}:2:400`,
  firefox: `@${CHUNK}:1:88\n@${CHUNK}:1:402\n`,
  safari: `global code@${LAZY}:1:120`,
}

/**
 * A stack through app, vendor and chunk (CDN URLs with `@` in them), in each engine's form. The message names
 * `undefined`, as many do: a key that is not a stack must not become a file "undefined" found in it.
 */
const CHROME_ERROR = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  `    at placeOrder (${APP}:1:5012)`,
  `    at ${CHUNK}:1:930`,
  `    at HTMLButtonElement.<anonymous> (${VENDOR}:2:811)`,
].join('\n')
const GECKO_ERROR = [`placeOrder@${APP}:1:5012`, `@${CHUNK}:1:930`, `dispatch/<@${VENDOR}:2:811`, ''].join(
  '\n',
)

const page = globalThis as any

/** A fresh module each time: the parsed map is cached at module level. */
async function load() {
  vi.resetModules()
  return (await import('../debug-ids.js')).debugIds
}

beforeEach(() => {
  // The SDK reads `window._sentryDebugIds`; in Node the global object stands in for the page.
  page.window = page
})
afterEach(() => {
  delete page._sentryDebugIds
  delete page.window
})

/** One key of each engine's form, as four injected files would leave them. */
const everyKey = () => ({
  [KEYS.chrome]: IDS.app,
  [KEYS.chromeNamed]: IDS.vendor,
  [KEYS.firefox]: IDS.chunk,
  [KEYS.safari]: IDS.lazy,
})

describe('debugIds', () => {
  test('reads Chrome, Firefox and Safari keys: the file of the first frame, nothing else stripped', async () => {
    const debugIds = await load()
    page._sentryDebugIds = everyKey()
    const all = `${CHROME_ERROR}\n    at ${LAZY}:1:7`
    expect(debugIds(all)).toEqual({
      [APP]: IDS.app,
      [VENDOR]: IDS.vendor,
      [CHUNK]: IDS.chunk,
      [LAZY]: IDS.lazy,
    })
  })

  test('only the files in the error’s stack, in V8 and Gecko stacks alike; none: no field', async () => {
    const debugIds = await load()
    page._sentryDebugIds = everyKey()
    const expected = { [APP]: IDS.app, [VENDOR]: IDS.vendor, [CHUNK]: IDS.chunk }
    expect(debugIds(CHROME_ERROR)).toEqual(expected)
    expect(debugIds(GECKO_ERROR)).toEqual(expected)
    expect(debugIds(`Error: x\n    at go (${APP}:1:5)`)).toEqual({ [APP]: IDS.app })
    expect(debugIds('Error: x\n    at https://other.example.com/app.js:1:5')).toBeUndefined()
    expect(debugIds('')).toBeUndefined()
  })

  test('no `_sentryDebugIds`, or not an object: nothing, and nothing thrown', async () => {
    const debugIds = await load()
    for (const value of [undefined, null, 42, true, 'a string', [KEYS.chrome], Symbol('x'), () => {}]) {
      page._sentryDebugIds = value
      expect(debugIds(CHROME_ERROR)).toBeUndefined()
    }
  })

  test('entries a page could not have meant are skipped; the others still count', async () => {
    const debugIds = await load()
    page._sentryDebugIds = {
      [KEYS.chrome]: IDS.app,
      [KEYS.chromeNamed]: 42,
      [KEYS.firefox]: { id: IDS.chunk },
      [`${KEYS.safari}\n`]: 10n,
      [`Error\n    at ${LAZY}:9:9`]: null,
      'not a stack': IDS.lazy,
      '': IDS.lazy,
    }
    const found = debugIds(`${CHROME_ERROR}\n    at ${LAZY}:1:7`)
    expect(found).toEqual({ [APP]: IDS.app })
    // A BigInt or an object with a throwing toJSON would make the whole event fail to serialise.
    expect(JSON.parse(JSON.stringify(found))).toEqual(found)
  })

  test('getters and proxies that throw: nothing, and nothing thrown', async () => {
    const debugIds = await load()
    page._sentryDebugIds = Object.defineProperty({}, KEYS.chrome, {
      enumerable: true,
      get() {
        throw new Error('hostile value')
      },
    })
    expect(debugIds(CHROME_ERROR)).toBeUndefined()
    page._sentryDebugIds = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('hostile keys')
        },
      },
    )
    expect(debugIds(CHROME_ERROR)).toBeUndefined()
    Object.defineProperty(page, '_sentryDebugIds', {
      configurable: true,
      get() {
        throw new Error('hostile global')
      },
    })
    expect(debugIds(CHROME_ERROR)).toBeUndefined()
  })

  test('a lazy chunk that adds its key later is seen by the next error', async () => {
    const debugIds = await load()
    const ids: Record<string, string> = { [KEYS.chrome]: IDS.app }
    page._sentryDebugIds = ids
    expect(debugIds(CHROME_ERROR)).toEqual({ [APP]: IDS.app })
    // The chunk runs its snippet later: one more key, read at the next error (nothing is cached).
    ids[KEYS.firefox] = IDS.chunk
    expect(debugIds(CHROME_ERROR)).toEqual({ [APP]: IDS.app, [CHUNK]: IDS.chunk })
  })
})
