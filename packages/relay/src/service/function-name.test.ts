import { describe, expect, it } from 'vitest'
import { enclosingFunction, indexFunctions } from './function-name.js'

const at = (source: string, marker = '@') => {
  const lines = source.split('\n')
  const line = lines.findIndex((text) => text.includes(marker))
  const column = lines[line]!.indexOf(marker) + 1
  return enclosingFunction(indexFunctions(source), line + 1, column)
}

describe('enclosing function from sourcesContent', () => {
  it('finds declarations, arrows, methods and skips blocks', () => {
    expect(at('export function handleClick(event: Event): void {\n  if (x) {\n    @\n  }\n}')).toBe(
      'handleClick',
    )
    expect(at('const parseOrder = (raw: string) => {\n  for (;;) { @ }\n}')).toBe('parseOrder')
    expect(at('class Cart {\n  async checkout(items) {\n    const a = {b: 1}\n    @\n  }\n}')).toBe(
      'checkout',
    )
    expect(at('function outer() {\n  function inner() { return 1 }\n  @\n}')).toBe('outer')
    expect(at('const handlers = {\n  onSave: function () {\n    @\n  },\n}')).toBe('onSave')
    expect(at('@ top level')).toBeUndefined()
    // Code in a callback is not the enclosing function's own: no name beats a wrong one.
    expect(
      at("function setup() {\n  button.addEventListener('click', () => {\n    @\n  })\n}"),
    ).toBeUndefined()
    expect(at('function setup() {\n  list.forEach(function (item) {\n    @\n  })\n}')).toBeUndefined()
    expect(at('function setup() {\n  list.forEach((item) => { go() })\n  @\n}')).toBe('setup')
  })
})
