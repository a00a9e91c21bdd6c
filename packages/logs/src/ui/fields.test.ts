import { describe, expect, it } from 'vitest'
import { parseLogSearch } from '../service/search-syntax.js'
import { type Field, filterTerm, flattenFields } from './fields.js'

describe('logs UI fields', () => {
  it('opens nested objects into dotted leaves, keeping arrays and null as values', () => {
    expect(flattenFields({ a: 1, resource: { 'service.name': 'shop' }, list: [1], none: null })).toEqual([
      [['a'], 1],
      [['resource', 'service.name'], 'shop'],
      [['list'], [1]],
      [['none'], null],
    ])
  })

  // Every term the UI writes must parse back to a filter that looks up exactly this path.
  it.each<Field>([
    [['user_id'], 42],
    [['http.method'], 'GET'],
    [['resource', 'service.name'], 'shop'],
    [['req', 'headers', 'host'], 'a.example'],
    [['a', 'b', 'c.d'], true],
    [['a.b', 'c'], 'x'],
    [['with space'], 'two words'],
    [['colon:key', 'x'], 'url:http://x'],
  ])('writes a filter the search syntax reads back: %j', (...field) => {
    const term = filterTerm(field)!
    const [filter] = parseLogSearch(term).fields
    expect(filter).toMatchObject({ field: 'attr', value: String(field[1]), negate: false })
    expect(filter!.field === 'attr' && filter!.paths).toContainEqual(field[0])
  })

  it('offers no filter the syntax cannot say', () => {
    expect(filterTerm([['a'], null])).toBeUndefined()
    expect(filterTerm([['a'], [1]])).toBeUndefined()
    expect(filterTerm([['a'], 'say "hi"'])).toBeUndefined()
    expect(filterTerm([['a"b'], 1])).toBeUndefined()
  })
})
