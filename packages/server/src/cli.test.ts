import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { killAll, removeTempDirs, runCli, startCli, tempDir } from './__fixtures__/cli.js'
import { OPTIONS } from './options.js'

const MODULE_NAMES = ['errors', 'logs', 'metrics', 'relay']
const SENTRY_CLI = createRequire(import.meta.url).resolve('@sentry/cli/bin/sentry-cli')
const runFile = promisify(execFile)
const NOT_FOUND = { detail: 'Not found', code: 'NOT_FOUND' }
const UNAUTHORIZED = { detail: 'Invalid API key', code: 'UNAUTHORIZED' }
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** GET over a keep-alive agent, so the connection stays open (idle) afterwards. */
function getKeepAlive(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
      .on('error', reject)
      .end()
  })
}

describe('monlight start (port per module)', () => {
  const dataDir = tempDir()
  let firstKey: string | undefined

  it('serves /health on four ports, prints and saves the key, and exits 0 on SIGTERM', async () => {
    const cli = await startCli(['--ports', '0,0,0,0', '--data-dir', dataDir])
    expect(Object.keys(cli.urls)).toEqual(MODULE_NAMES)
    expect(new Set(Object.values(cli.urls)).size).toBe(4)
    expect(cli.banner).toMatch(new RegExp(`^Monlight ${VERSION.replace(/\./g, '\\.')} ready in \\d+ ms\\n`))

    for (const url of Object.values(cli.urls)) {
      expect(url).toMatch(/^http:\/\/localhost:\d+\/$/)
      const res = await fetch(`${url}health`)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ status: 'ok' })
    }

    // The key: printed, saved with mode 0600.
    const keyFile = join(dataDir, 'api-key')
    expect(cli.apiKey).toMatch(/^ml_[A-Za-z0-9_-]{32}$/)
    expect(cli.banner).toContain('(generated and saved to ')
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(cli.apiKey)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    firstKey = cli.apiKey
    for (const name of MODULE_NAMES) expect(existsSync(join(dataDir, `${name}.sqlite`))).toBe(true)

    // A route that exists asks for the key; an unknown path is the module's own 404, key or not.
    const anonymous = await fetch(`${cli.urls.errors}api/errors`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject(UNAUTHORIZED)
    for (const headers of [{}, { 'x-api-key': cli.apiKey! }]) {
      const unknown = await fetch(`${cli.urls.metrics}api/nothing`, { headers })
      expect(unknown.status).toBe(404)
      expect(await unknown.json()).toEqual(NOT_FOUND)
    }

    // A backup taken while the server runs is a readable, intact SQLite file.
    const backupDir = tempDir('monlight-backup-')
    const backup = await runCli(['backup', backupDir, '--data-dir', dataDir])
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    for (const name of MODULE_NAMES) {
      expect(backup.stdout).toMatch(new RegExp(`${name} +\\S+${name}\\.sqlite +\\d`))
      const copy = new Database(join(backupDir, `${name}.sqlite`), { readonly: true })
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
      copy.close()
    }

    // An idle keep-alive connection must not hold shutdown up for its 5 s keep-alive timeout.
    const agent = new Agent({ keepAlive: true })
    expect(await getKeepAlive(`${cli.urls.logs}health`, agent)).toBe(200)
    const stopped = await cli.stop('SIGTERM')
    agent.destroy()
    expect(stopped.code).toBe(0)
    expect(stopped.ms).toBeLessThan(4000)
    expect(stopped.stderr).toContain('shutting down')
  })

  it('reuses the saved key on the next start', async () => {
    expect(firstKey).toBeDefined()
    const cli = await startCli(['--ports', '0,0,0,0', '--data-dir', dataDir])
    // The whole key is printed once, when generated; later starts show its start and where it is.
    expect(cli.banner).toContain(`API key: ${firstKey!.slice(0, 7)}… (saved in `)
    expect(cli.banner).not.toContain(firstKey!)
    const res = await fetch(`${cli.urls.relay}api/nothing`, { headers: { 'x-api-key': firstKey! } })
    expect(res.status).toBe(404)
    expect((await cli.stop('SIGINT')).code).toBe(0)
  })

  it('reads settings from --config, under the environment', async () => {
    const dir = tempDir()
    const config = join(dir, 'monlight.json')
    writeFileSync(
      config,
      JSON.stringify({ MONLIGHT_API_KEY: 'file-key', MONLIGHT_PORTS: '0,0,0,0', RETENTON_DAYS: 3 }),
    )
    const cli = await startCli(['--config', config, '--data-dir', dir])
    expect(cli.banner).toContain('API key: from MONLIGHT_API_KEY\n')
    const res = await fetch(`${cli.urls.errors}api/nothing`, { headers: { 'x-api-key': 'file-key' } })
    expect(res.status).toBe(404)
    const { code, stdout, stderr } = await cli.stop()
    expect(code).toBe(0)
    // A typo in the file is one line at start, naming the variable it resembles; known names are not listed.
    const output = stdout + stderr
    expect(output).toContain(
      'The config file sets RETENTON_DAYS, which Monlight does not know: it is ignored (did you mean RETENTION_DAYS?)',
    )
    expect(output).not.toContain('config file sets MONLIGHT_')
  })

  it('keys create and sourcemaps upload work next to the running server', async () => {
    const dir = tempDir()
    const cli = await startCli(['--ports', '0,0,0,0', '--data-dir', dir], { env: { API_KEY: 'cli-key' } })
    const created = await runCli([
      'keys',
      'create',
      'shop',
      '--origins',
      'https://shop.example',
      '--data-dir',
      dir,
    ])
    expect(created.code, created.stderr).toBe(0)
    const publicKey = /Created DSN key ([0-9a-f]{32}) for project shop/.exec(created.stdout)?.[1]
    expect(publicKey).toBeDefined()
    const keys = await fetch(`${cli.urls.relay}api/dsn-keys`, { headers: { 'x-api-key': 'cli-key' } })
    expect(await keys.text()).toContain(publicKey!)
    // Nothing but the key on the command's output: no start-up lines of the relay it opened.
    expect(created.stderr).toBe('')
    const listed = await runCli(['keys', 'list', '--data-dir', dir])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain(`shop (project id 1)\n  DSN: http://${publicKey}@localhost:5013/1\n`)
    expect(listed.stdout).toContain('origins: https://shop.example; rate limit: default')

    const dist = join(tempDir(), 'dist')
    mkdirSync(join(dist, 'js'), { recursive: true })
    writeFileSync(
      join(dist, 'js', 'app.js.map'),
      '{"version":3,"sources":["app.ts"],"names":[],"mappings":"AAAA"}',
    )
    const upload = await runCli(
      [
        'sourcemaps',
        'upload',
        dist,
        '--release',
        '1.0.0',
        '--url-prefix',
        '/static',
        '--url',
        cli.urls.relay!,
      ],
      { env: { API_KEY: 'cli-key' } },
    )
    expect(upload.code, upload.stderr).toBe(0)
    // Without --project: the relay's one project with DSN keys.
    expect(upload.stdout).toContain('Uploaded 1 source map(s) for shop 1.0.0:\n  /static/js/app.js')
    const maps = await fetch(`${cli.urls.relay}api/source-maps?project=shop`, {
      headers: { 'x-api-key': 'cli-key' },
    })
    expect(await maps.text()).toContain('/static/js/app.js')
    await runCli(['keys', 'create', 'blog', '--data-dir', dir])
    const ambiguous = await runCli(
      ['sourcemaps', 'upload', dist, '--release', '1', '--url', cli.urls.relay!],
      {
        env: { API_KEY: 'cli-key' },
      },
    )
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain('several projects have DSN keys (blog, shop); pass --project')
    const named = await runCli(
      ['sourcemaps', 'upload', dist, '--release', '1', '--project', 'blog', '--url', cli.urls.relay!],
      { env: { API_KEY: 'cli-key' } },
    )
    expect(named.code, named.stderr).toBe(0)
    expect(named.stdout).toContain('Uploaded 1 source map(s) for blog 1:')
    expect((await cli.stop()).code).toBe(0)

    const missing = await runCli(['sourcemaps', 'upload', dist, '--project', 'shop'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('needs --release')
  })

  it('takes the key from MONLIGHT_API_KEY without printing it', async () => {
    const cli = await startCli(['--ports', '0,0,0,0', '--data-dir', tempDir()], {
      env: { MONLIGHT_API_KEY: 'first-key,second-key' },
    })
    expect(cli.banner).toContain('API key: from MONLIGHT_API_KEY (2 keys)')
    expect(cli.banner).not.toContain('second-key')
    const res = await fetch(`${cli.urls.errors}api/nothing`, { headers: { 'x-api-key': 'second-key' } })
    expect(res.status).toBe(404)
    expect((await cli.stop()).code).toBe(0)
  })
})

describe('monlight start --port (single port)', () => {
  it('serves an index page, its own /health and every module under its prefix', async () => {
    const cli = await startCli(['--port', '0', '--data-dir', tempDir()])
    const index = cli.indexUrl!
    expect(index).toMatch(/^http:\/\/localhost:\d+\/$/)
    for (const name of MODULE_NAMES) expect(cli.urls[name]).toBe(`${index}${name}/`)

    const page = await fetch(index)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    for (const name of MODULE_NAMES) expect(html).toContain(`href="./${name}/"`)
    expect(html).toContain('All modules are healthy')

    const health = await fetch(`${index}health`)
    expect(await health.json()).toEqual({ status: 'ok' })
    const moduleHealth = await fetch(`${index}errors/health`)
    expect(moduleHealth.status).toBe(200)
    expect(await moduleHealth.json()).toMatchObject({ status: 'ok' })

    const anonymous = await fetch(`${index}errors/api/errors`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject(UNAUTHORIZED)
    // An unknown path is a 404 with or without a key: auth is for the routes that exist.
    for (const headers of [{}, { 'x-api-key': cli.apiKey! }]) {
      const unknown = await fetch(`${index}logs/api/x`, { headers })
      expect(unknown.status).toBe(404)
      expect(await unknown.json()).toEqual(NOT_FOUND)
    }

    const bare = await fetch(`${index}metrics`, { redirect: 'manual' })
    expect(bare.status).toBe(308)
    expect(bare.headers.get('location')).toBe('metrics/')
    expect((await fetch(`${index}nothing`)).status).toBe(404)

    expect((await cli.stop()).code).toBe(0)
  })

  it('takes sentry-cli uploads at the root, as `--url http://host:port` with the API key as token', async () => {
    const dir = tempDir()
    const cli = await startCli(['--port', '0', '--data-dir', dir])
    expect((await runCli(['keys', 'create', 'shop', '--data-dir', dir])).code).toBe(0)
    const dist = join(tempDir(), 'dist')
    mkdirSync(dist, { recursive: true })
    writeFileSync(join(dist, 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map\n')
    writeFileSync(join(dist, 'app.js.map'), '{"version":3,"sources":["app.ts"],"names":[],"mappings":"AAAA"}')
    const sentryCli = (args: string[]) =>
      runFile(process.execPath, [SENTRY_CLI, ...args], {
        env: { ...process.env, SENTRY_DISABLE_UPDATE_CHECK: 'true', SENTRY_LOG_LEVEL: 'warn' },
      })
    await sentryCli(['sourcemaps', 'inject', dist])
    const base = cli.indexUrl!.replace(/\/$/, '')
    const { stdout } = await sentryCli([
      ...['--url', base, '--auth-token', cli.apiKey!],
      ...['sourcemaps', 'upload', '--org', 'monlight', '--project', 'shop', '--release', '1.0.0', dist],
    ])
    expect(stdout).toContain('File processing complete')
    const maps = await fetch(`${cli.urls.relay}api/source-maps`, { headers: { 'x-api-key': cli.apiKey! } })
    expect(await maps.json()).toMatchObject({
      source_maps: [
        {
          project: 'shop',
          release: '1.0.0',
          file_url: '/app.js',
          debug_id: expect.stringMatching(/^[0-9a-f]{8}-/),
        },
      ],
    })
    expect((await cli.stop()).code).toBe(0)
  })
})

describe('monlight start --port (single port): the receivers at the root', () => {
  it('takes OTLP and Loki pushes on their conventional paths, with the API key as they send it', async () => {
    const cli = await startCli(['--port', '0', '--data-dir', tempDir()])
    const base = cli.indexUrl!.replace(/\/$/, '')
    const bearer = { authorization: `Bearer ${cli.apiKey!}` }
    const now = `${Date.now()}000000`
    const otlp = await fetch(`${base}/v1/logs`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-app' } }] },
            scopeLogs: [
              { logRecords: [{ timeUnixNano: now, severityNumber: 17, body: { stringValue: 'from otlp' } }] },
            ],
          },
        ],
      }),
    })
    expect([otlp.status, await otlp.json()]).toEqual([200, {}])
    const basic = { authorization: `Basic ${Buffer.from(`loki:${cli.apiKey!}`).toString('base64')}` }
    const loki = await fetch(`${base}/loki/api/v1/push`, {
      method: 'POST',
      headers: { ...basic, 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { job: 'loki-app' }, values: [[now, 'from loki']] }] }),
    })
    expect(loki.status).toBe(204)
    expect((await fetch(`${base}/v1/logs`, { method: 'POST', body: '{}' })).status).toBe(401)
    expect((await fetch(`${base}/v1/nothing`, { method: 'POST', body: '{}' })).status).toBe(404)
    const read = await fetch(`${cli.urls.logs}api/logs?search=from`, { headers: bearer })
    const { logs } = (await read.json()) as { logs: { container: string; message: string; level: string }[] }
    expect(logs.map((entry) => [entry.container, entry.message]).sort()).toEqual([
      ['loki-app', 'from loki'],
      ['otel-app', 'from otlp'],
    ])
    expect((await cli.stop()).code).toBe(0)
  })
})

// Each of these runs its own process: run them side by side.
describe.concurrent('monlight commands and errors', () => {
  it('--help lists every flag and variable, and exits 0', async ({ expect }) => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    for (const option of OPTIONS) {
      expect(result.stdout).toContain(option.flag)
      for (const name of option.env) expect(result.stdout).toContain(name)
    }
    for (const command of [
      'start',
      'migrate',
      'backup <dir>',
      'keys create <project>',
      'sourcemaps upload <dir>',
    ]) {
      expect(result.stdout).toContain(command)
    }
  })

  it('--version prints the package version', async ({ expect }) => {
    const result = await runCli(['--version'])
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` })
  })

  it('refuses an unknown option or command with exit 2 and a pointer to --help', async ({ expect }) => {
    const flag = await runCli(['--prot', '80'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("Unknown option '--prot'")
    expect(flag.stderr).toContain('--help')
    const command = await runCli(['serve'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain("Unknown command 'serve'")
  })

  it('reports a bad MONLIGHT_PORT with exit 1, naming the variable, without a stack trace', async ({
    expect,
  }) => {
    const result = await runCli([], { env: { MONLIGHT_PORT: 'abc' } })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("MONLIGHT_PORT must be an integer between 0 and 65535 (got 'abc')")
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it('migrate applies every module and exits 0, without creating a key file', async ({ expect }) => {
    const dataDir = tempDir()
    const result = await runCli(['migrate', '--data-dir', dataDir])
    expect(result.code).toBe(0)
    for (const name of MODULE_NAMES) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${name} +applied \\d{4}_\\w+`, 'm'))
      expect(existsSync(join(dataDir, `${name}.sqlite`))).toBe(true)
    }
    expect(existsSync(join(dataDir, 'api-key'))).toBe(false)
  })

  it('backup refuses a PostgreSQL database, pointing to pg_dump and hiding the password', async ({
    expect,
  }) => {
    const result = await runCli(['backup', tempDir()], {
      env: { MONLIGHT_DATABASE_URL: 'postgres://monlight:s3cret@127.0.0.1:1/monlight' },
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('pg_dump')
    expect(result.stderr).not.toContain('s3cret')
  })

  it('backup says so when there is nothing to back up', async ({ expect }) => {
    const result = await runCli(['backup', tempDir(), '--data-dir', tempDir()])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('No database to back up')
  })
})

afterAll(() => {
  killAll()
  removeTempDirs()
})
