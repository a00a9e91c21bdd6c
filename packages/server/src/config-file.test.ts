import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readConfigFile, trackReads, unknownFileVariables, withConfigFile } from './config-file.js'

const dir = mkdtempSync(join(tmpdir(), 'monlight-config-'))
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text)
  return join(dir, name)
}

describe('config file', () => {
  it('reads .env lines and JSON objects of variables', () => {
    expect(readConfigFile(file('a.env', '# comment\nAPI_KEY=k1\nSMTP_PORT=587\n'))).toEqual({
      API_KEY: 'k1',
      SMTP_PORT: '587',
    })
    expect(readConfigFile(file('a.json', '{"API_KEY":"k2","SMTP_PORT":587,"SMTP_SECURE":true}'))).toEqual({
      API_KEY: 'k2',
      SMTP_PORT: '587',
      SMTP_SECURE: 'true',
    })
  })

  it('lets the environment win, and takes the file from MONLIGHT_CONFIG too', () => {
    const path = file('b.env', 'API_KEY=from-file\nLOG_LEVEL=debug\n')
    expect(withConfigFile({ API_KEY: 'from-env' }, path)).toEqual({
      env: { API_KEY: 'from-env', LOG_LEVEL: 'debug' },
      fileVariables: ['API_KEY', 'LOG_LEVEL'],
    })
    expect(withConfigFile({ MONLIGHT_CONFIG: path }, undefined).env).toMatchObject({ API_KEY: 'from-file' })
    expect(withConfigFile({ X: '1' }, undefined)).toEqual({ env: { X: '1' }, fileVariables: [] })
  })

  it('names the file variables nothing read, with the known name a typo is closest to', () => {
    const { env, read } = trackReads({ RETENTON_DAYS: '3', API_KEYS: 'k', SMTP_HOST: 'x', FOO: '1' })
    for (const name of ['RETENTION_DAYS', 'API_KEY', 'SMTP_HOST', 'LOG_LEVEL']) void env[name]
    expect(unknownFileVariables(['RETENTON_DAYS', 'API_KEYS', 'SMTP_HOST', 'FOO'], read)).toEqual([
      'The config file sets RETENTON_DAYS, which Monlight does not know: it is ignored (did you mean RETENTION_DAYS?)',
      'The config file sets API_KEYS, which Monlight does not know: it is ignored (did you mean API_KEY?)',
      'The config file sets FOO, which these settings do not use: it is ignored (an unknown name, or one that needs another setting)',
    ])
  })

  it('says what is wrong with a bad file', () => {
    expect(() => readConfigFile(join(dir, 'missing.env'))).toThrow(
      /cannot read the config file .*missing\.env: ENOENT/,
    )
    expect(() => readConfigFile(file('c.json', '{"API_KEY":'))).toThrow(/is not valid JSON/)
    expect(() => readConfigFile(file('d.json', '["API_KEY"]'))).toThrow(
      /must hold a JSON object of variables/,
    )
    expect(() => readConfigFile(file('e.json', '{"apiKey":"x"}'))).toThrow(/'apiKey' is not a variable name/)
    expect(() => readConfigFile(file('f.json', '{"API_KEY":{"a":1}}'))).toThrow(
      /API_KEY must be a string, number or boolean/,
    )
  })
})
