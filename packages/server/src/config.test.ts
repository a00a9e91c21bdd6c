import { MonlightConfigError } from '@monlight/core'
import { describe, expect, it } from 'vitest'
import { loadConfig, redactUrl, resolveServerConfig } from './config.js'

const ALL_ZERO = { errors: 0, logs: 0, metrics: 0, relay: 0 }

function configError(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MonlightConfigError)
    return (error as Error).message
  }
  throw new Error('expected a config error')
}

describe('loadConfig', () => {
  it('has upstream-like defaults: ./data, 0.0.0.0, one port per module, info', () => {
    const { config, warnings } = loadConfig({})
    expect(config).toEqual({
      dataDir: './data',
      host: '0.0.0.0',
      ports: {},
      apiKeys: [],
      logLevel: 'info',
    })
    expect(warnings).toEqual([])
  })

  it('reads the environment, and a flag wins over its variable', () => {
    const env = {
      MONLIGHT_DATA_DIR: '/var/lib/monlight',
      MONLIGHT_HOST: '127.0.0.1',
      MONLIGHT_LOG_LEVEL: 'debug',
    }
    expect(loadConfig({ env }).config).toMatchObject({
      dataDir: '/var/lib/monlight',
      host: '127.0.0.1',
      logLevel: 'debug',
    })
    const { config } = loadConfig({ env, flags: { dataDir: './here', host: '::1', logLevel: 'error' } })
    expect(config).toMatchObject({ dataDir: './here', host: '::1', logLevel: 'error' })
  })

  it('treats an empty variable as unset', () => {
    const { config } = loadConfig({ env: { MONLIGHT_PORT: '', MONLIGHT_DATA_DIR: '  ' } })
    expect(config.dataDir).toBe('./data')
    expect(config.port).toBeUndefined()
  })

  describe('ports', () => {
    it('takes one port for the single-port layout, 0 included', () => {
      expect(loadConfig({ env: { MONLIGHT_PORT: '8080' } }).config.port).toBe(8080)
      expect(loadConfig({ flags: { port: '0' } }).config.port).toBe(0)
    })

    it.each(['abc', '-1', '65536', '1.5', '80x', ''])('refuses MONLIGHT_PORT=%j, naming it', (value) => {
      const env = { MONLIGHT_PORT: value }
      if (value === '') return expect(loadConfig({ env }).config.port).toBeUndefined()
      expect(configError(() => loadConfig({ env }))).toBe(
        `MONLIGHT_PORT must be an integer between 0 and 65535 (got '${value}')`,
      )
    })

    it('names the flag when the flag is wrong', () => {
      expect(configError(() => loadConfig({ flags: { port: 'http' } }))).toMatch(/^--port must be an integer/)
    })

    it('maps four ports to errors, logs, metrics and relay', () => {
      expect(loadConfig({ flags: { ports: '0,0,0,0' } }).config.ports).toEqual(ALL_ZERO)
      expect(loadConfig({ env: { MONLIGHT_PORTS: ' 6010, 6011 ,6012,6013' } }).config.ports).toEqual({
        errors: 6010,
        logs: 6011,
        metrics: 6012,
        relay: 6013,
      })
    })

    it('refuses a wrong count, a bad number or a port used twice', () => {
      expect(configError(() => loadConfig({ env: { MONLIGHT_PORTS: '1,2,3' } }))).toBe(
        "MONLIGHT_PORTS must be 4 comma-separated ports, for errors, logs, metrics, relay in that order (e.g. 5010,5011,5012,5013; 0 picks a free port) (got '1,2,3')",
      )
      expect(configError(() => loadConfig({ flags: { ports: '1,2,x,4' } }))).toMatch(
        /^--ports must be 4 comma/,
      )
      expect(configError(() => loadConfig({ flags: { ports: '7000,7001,7000,0' } }))).toBe(
        '--ports lists port 7000 twice: each module needs its own port',
      )
    })

    it('lets a flag pick the layout over the other layout’s variable', () => {
      expect(
        loadConfig({ flags: { port: '9000' }, env: { MONLIGHT_PORTS: '1,2,3,4' } }).config,
      ).toMatchObject({
        port: 9000,
        ports: {},
      })
      const { config } = loadConfig({ flags: { ports: '0,0,0,0' }, env: { MONLIGHT_PORT: '9000' } })
      expect(config.port).toBeUndefined()
      expect(config.ports).toEqual(ALL_ZERO)
    })

    it('refuses both layouts at the same level', () => {
      expect(
        configError(() => loadConfig({ env: { MONLIGHT_PORT: '1', MONLIGHT_PORTS: '1,2,3,4' } })),
      ).toMatch(/^MONLIGHT_PORT and MONLIGHT_PORTS are both set/)
      expect(configError(() => loadConfig({ flags: { port: '1', ports: '0,0,0,0' } }))).toMatch(
        /^--port and --ports are both set/,
      )
    })
  })

  describe('API keys', () => {
    it('splits on commas and records where the keys came from', () => {
      expect(loadConfig({ env: { MONLIGHT_API_KEY: 'one, two,,three ' } }).config).toMatchObject({
        apiKeys: ['one', 'two', 'three'],
        apiKeysFrom: 'MONLIGHT_API_KEY',
      })
    })

    it('falls back to upstream API_KEY, after MONLIGHT_API_KEY and the flag', () => {
      expect(loadConfig({ env: { API_KEY: 'upstream' } }).config).toMatchObject({
        apiKeys: ['upstream'],
        apiKeysFrom: 'API_KEY',
      })
      expect(loadConfig({ env: { API_KEY: 'upstream', MONLIGHT_API_KEY: 'ours' } }).config.apiKeys).toEqual([
        'ours',
      ])
      expect(loadConfig({ env: { API_KEY: 'upstream' }, flags: { apiKey: 'flag' } }).config).toMatchObject({
        apiKeys: ['flag'],
        apiKeysFrom: '--api-key',
      })
    })

    it('refuses a key with a space or control character without echoing it', () => {
      const message = configError(() => loadConfig({ env: { MONLIGHT_API_KEY: 'fine,not fine' } }))
      expect(message).toBe(
        'MONLIGHT_API_KEY: key 2 is not valid: an API key must be printable ASCII without spaces or commas',
      )
      expect(configError(() => loadConfig({ flags: { apiKey: ' , ' } }))).toMatch(
        /^--api-key must be one or more API keys/,
      )
    })
  })

  describe('log level', () => {
    it('accepts upstream spellings through LOG_LEVEL', () => {
      expect(loadConfig({ env: { LOG_LEVEL: 'WARNING' } }).config.logLevel).toBe('warn')
      expect(loadConfig({ env: { LOG_LEVEL: 'err', MONLIGHT_LOG_LEVEL: 'debug' } }).config.logLevel).toBe(
        'debug',
      )
    })

    it('refuses an unknown level, listing the accepted ones', () => {
      expect(configError(() => loadConfig({ env: { MONLIGHT_LOG_LEVEL: 'loud' } }))).toBe(
        "MONLIGHT_LOG_LEVEL must be one of debug, info, warn, error, silent (got 'loud')",
      )
    })
  })

  describe('database URL', () => {
    it('takes a postgres URL from MONLIGHT_DATABASE_URL or DATABASE_URL', () => {
      const url = 'postgres://monlight:pw@db:5432/monlight'
      expect(loadConfig({ env: { DATABASE_URL: url } }).config.databaseUrl).toBe(url)
      expect(loadConfig({ env: { DATABASE_URL: 'x', MONLIGHT_DATABASE_URL: url } }).config.databaseUrl).toBe(
        url,
      )
      expect(loadConfig({ flags: { databaseUrl: 'postgresql://h/db' } }).config.databaseUrl).toBe(
        'postgresql://h/db',
      )
    })

    it('refuses anything else, naming the variable and hiding the password', () => {
      const message = configError(() => loadConfig({ env: { DATABASE_URL: 'mysql://root:hunter2@db/app' } }))
      expect(message).toMatch(/^DATABASE_URL must be a postgres:\/\/ URL/)
      expect(message).toContain("(got 'mysql://root:***@db/app')")
      expect(message).not.toContain('hunter2')
    })
  })

  it('warns about MONLIGHT_ variables it does not know', () => {
    const { warnings } = loadConfig({ env: { MONLIGHT_PROT: '80', PATH: '/bin' } })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^Unknown environment variable MONLIGHT_PROT is ignored \(known: MONLIGHT_CONFIG, MONLIGHT_DATA_DIR/,
    )
  })
})

describe('resolveServerConfig', () => {
  it('fills in defaults and refuses unknown or invalid fields', () => {
    expect(resolveServerConfig({ port: 0 })).toMatchObject({ port: 0, dataDir: './data', host: '0.0.0.0' })
    expect(() => resolveServerConfig({ port: 70000 })).toThrow(MonlightConfigError)
    expect(() => resolveServerConfig({ prot: 1 } as never)).toThrow(/@monlight\/server: invalid options/)
    expect(() => resolveServerConfig({ databaseUrl: 'sqlite:x' })).toThrow(/postgres:\/\/ or pglite:/)
  })
})

describe('redactUrl', () => {
  it.each([
    ['postgres://u:secret@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['postgres://h/db', 'postgres://h/db'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })
})
