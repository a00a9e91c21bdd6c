import { silentLogger } from '@monlight/core'
import { SourceMapGenerator } from 'source-map'
import { describe, expect, it } from 'vitest'
import type { RelayStore } from '../store/store.js'
import { createSourceMapCache, deobfuscate } from './source-maps.js'

/** A map for `/static/app.min.js`: line 1 col 10 → src/a.ts 5:2 (name `render`), col 40 → 9:0, no sourcesContent. */
function map(): string {
  const generator = new SourceMapGenerator({ file: 'app.min.js', sourceRoot: 'https://src.test/shop/' })
  generator.addMapping({
    generated: { line: 1, column: 10 },
    original: { line: 5, column: 2 },
    source: 'src/a.ts',
    name: 'render',
  })
  generator.addMapping({
    generated: { line: 1, column: 40 },
    original: { line: 9, column: 0 },
    source: 'src/a.ts',
  })
  return generator.toString()
}

function deps(content = map()) {
  const store = {
    async findSourceMapIds(_project: string, _release: string, urls: string[]) {
      return new Map(
        urls.filter((url) => url === '/static/app.min.js').map((url) => [url, { id: 1, debugId: null }]),
      )
    },
    async findSourceMapIdsByDebugId() {
      return new Map()
    },
  } as unknown as RelayStore
  return { store, cache: createSourceMapCache({ size: 2, load: async () => content, logger: silentLogger }) }
}

const target = { project: 'web', release: '1' }

describe('deobfuscation', () => {
  it('rewrites Chrome, Firefox and Safari frames, honouring sourceRoot and stripping query and hash', async () => {
    const stack = [
      'TypeError: boom',
      '    at x (https://cdn.test/static/app.min.js?v=3#h:1:11)',
      'x@https://cdn.test/static/app.min.js:1:11',
      'https://cdn.test/static/app.min.js:1:11',
      '    at other (https://cdn.test/static/vendor.js:1:1)',
      '    at async Promise.all (index 0)',
    ].join('\n')
    expect(await deobfuscate(stack, target, deps())).toBe(
      [
        'TypeError: boom',
        '    at render (https://src.test/shop/src/a.ts:5:3)',
        'render@https://src.test/shop/src/a.ts:5:3',
        'render@https://src.test/shop/src/a.ts:5:3',
        '    at other (https://cdn.test/static/vendor.js:1:1)',
        '    at async Promise.all (index 0)',
      ].join('\n'),
    )
  })

  it('uses the nearest earlier mapping on the line, and leaves columns before any mapping alone', async () => {
    const stack =
      '    at a (/static/app.min.js:1:30)\n    at b (/static/app.min.js:1:5)\n    at c (/static/app.min.js:2:1)'
    expect(await deobfuscate(stack, target, deps())).toBe(
      '    at render (https://src.test/shop/src/a.ts:5:3)\n    at b (/static/app.min.js:1:5)\n    at c (/static/app.min.js:2:1)',
    )
  })

  it('keeps the stack when the map is unusable', async () => {
    const stack = '    at a (/static/app.min.js:1:11)'
    expect(await deobfuscate(stack, target, deps('not json'))).toBe(stack)
  })
})
