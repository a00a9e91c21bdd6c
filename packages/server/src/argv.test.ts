import { describe, expect, it } from 'vitest'
import { parseArgv, UsageError } from './argv.js'

const SPEC = { values: ['--port', '--data-dir'], switches: ['--help'], aliases: { '-h': '--help' } }

describe('parseArgv', () => {
  it('reads --flag value, --flag=value, switches and positionals in any order', () => {
    const parsed = parseArgv(['backup', '--port', '80', 'out', '--data-dir=/d', '-h'], SPEC)
    expect(parsed.positionals).toEqual(['backup', 'out'])
    expect(parsed.values).toEqual({ '--port': '80', '--data-dir': '/d' })
    expect([...parsed.switches]).toEqual(['--help'])
  })

  it('keeps an = inside a value, and the last of repeated flags', () => {
    expect(parseArgv(['--data-dir=a=b', '--port', '1', '--port', '2'], SPEC).values).toEqual({
      '--data-dir': 'a=b',
      '--port': '2',
    })
  })

  it('stops at --', () => {
    expect(parseArgv(['--', '--port'], SPEC).positionals).toEqual(['--port'])
  })

  it.each([
    [['--nope'], "Unknown option '--nope'"],
    [['--data_dir', 'x'], "Unknown option '--data_dir' (did you mean --data-dir?)"],
    [['-p', '1'], "Unknown option '-p'"],
    [['--port'], 'Option --port needs a value'],
    [['--port', '--help'], 'Option --port needs a value'],
    [['--port='], 'Option --port needs a value'],
    [['--help=yes'], 'Option --help takes no value'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseArgv(argv, SPEC)).toThrow(UsageError)
    expect(() => parseArgv(argv, SPEC)).toThrow(message)
  })
})
