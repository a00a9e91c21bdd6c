import { describe, expect, it } from 'vitest'
import { detectLevel, parseLevel, parseLevelFilter } from './levels.js'

describe('level detection (contract §3.4, on decoded text)', () => {
  it.each([
    ['{"level":"warn","msg":"x"}', 'stdout', 'WARNING'],
    ['{"severity":"CRITICAL"}', 'stdout', 'CRITICAL'],
    ['{"level":30}', 'stderr', 'INFO'],
    ['{"msg":"no level"} [ERROR]', 'stdout', 'ERROR'],
    ['{"level":"loud"}', 'stderr', 'ERROR'],
    ['2025-01-20 [DEBUG] bracket', 'stdout', 'DEBUG'],
    ['[req-123] [WARN] second bracket wins after a non-level', 'stdout', 'WARNING'],
    ['[unclosed ERROR', 'stdout', 'INFO'],
    ['ts=1 level=error msg=x', 'stdout', 'ERROR'],
    ['LEVEL=fatal', 'stdout', 'CRITICAL'],
    ['Level=Info', 'stderr', 'INFO'],
    ['ERROR: x', 'stdout', 'ERROR'],
    ['  crit: indented prefix', 'stdout', 'CRITICAL'],
    ['INFO:     127.0.0.1 - "GET / HTTP/1.1" 200', 'stderr', 'INFO'],
    ['Error in thing: x', 'stdout', 'INFO'],
    ['no rule matches', 'stderr', 'ERROR'],
    ['no rule matches', 'stdout', 'INFO'],
  ])('%s (%s) → %s', (message, stream, level) => {
    expect(detectLevel(message, stream)).toBe(level)
  })

  it('normalises level words and filters', () => {
    expect(['warn', 'ERR', 'Fatal', 'crit', 'debug'].map(parseLevel)).toEqual([
      'WARNING',
      'ERROR',
      'CRITICAL',
      'CRITICAL',
      'DEBUG',
    ])
    expect(parseLevel('no')).toBeUndefined()
    expect(parseLevelFilter('>=warning')).toEqual(['WARNING', 'ERROR', 'CRITICAL'])
    expect(parseLevelFilter(' >= ERROR ')).toEqual(['ERROR', 'CRITICAL'])
    expect(parseLevelFilter('INFO')).toEqual(['INFO'])
    expect(parseLevelFilter('>=')).toBeUndefined()
  })
})
