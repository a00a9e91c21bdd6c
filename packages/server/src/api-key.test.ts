import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger, MonlightConfigError } from '@monlight/core'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from './__fixtures__/cli.js'
import { generateApiKey, resolveApiKeys } from './api-key.js'

afterAll(removeTempDirs)

describe('resolveApiKeys', () => {
  it('prefers configured keys and writes nothing', () => {
    const dataDir = join(tempDir(), 'data')
    expect(resolveApiKeys({ apiKeys: ['a', 'b'], dataDir })).toEqual({
      keys: ['a', 'b'],
      origin: 'configured',
    })
    expect(() => statSync(dataDir)).toThrow()
  })

  it('generates a key into <dataDir>/api-key (mode 0600), then reuses it', () => {
    const dataDir = join(tempDir(), 'nested', 'data')
    const first = resolveApiKeys({ apiKeys: [], dataDir })
    const file = join(dataDir, 'api-key')
    expect(first).toEqual({
      keys: [expect.stringMatching(/^ml_[A-Za-z0-9_-]{32}$/)],
      origin: 'generated',
      file,
    })
    expect(readFileSync(file, 'utf8')).toBe(`${first.keys[0]}\n`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(resolveApiKeys({ apiKeys: [], dataDir })).toEqual({ keys: first.keys, origin: 'file', file })
  })

  it('refuses an empty or garbled key file, saying how to recover', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'api-key'), '\n', { mode: 0o600 })
    expect(() => resolveApiKeys({ apiKeys: [], dataDir })).toThrow(MonlightConfigError)
    expect(() => resolveApiKeys({ apiKeys: [], dataDir })).toThrow(/delete it to have a new key generated/)
  })

  it('warns when the key file is readable by others', () => {
    const dataDir = tempDir()
    const file = join(dataDir, 'api-key')
    writeFileSync(file, 'ml_saved\n')
    chmodSync(file, 0o644)
    const lines: string[] = []
    const logger = createLogger({ write: (line) => lines.push(line) })
    expect(resolveApiKeys({ apiKeys: [], dataDir }, logger).keys).toEqual(['ml_saved'])
    expect(lines.join('\n')).toContain('chmod 600')
  })
})

describe('generateApiKey', () => {
  it('is ml_ and 32 base64url characters, different each time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey))
    expect(keys.size).toBe(50)
    for (const key of keys) expect(key).toMatch(/^ml_[A-Za-z0-9_-]{32}$/)
  })
})
