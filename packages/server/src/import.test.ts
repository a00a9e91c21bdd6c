import { describe, expect, it } from 'vitest'
import { killAll, runCli, startCli, tempDir } from './__fixtures__/cli.js'
import { writeUpstreamDatabases } from './__fixtures__/upstream-db.js'

const KEY = 'import-key'

describe('monlight import --from', () => {
  it('keeps error ids, fingerprints, occurrences, DSN keys and source maps of the original', async () => {
    const original = tempDir('monlight-original-')
    writeUpstreamDatabases(original)
    const dataDir = tempDir()
    const imported = await runCli(['import', '--from', original, '--data-dir', dataDir])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/errors +2 groups, 6 occurrences/)
    expect(imported.stdout).toMatch(/relay +2 keys, 1 sourceMaps/)
    expect(imported.stdout).toMatch(/logs +13 entries/)
    // Each row left out is counted with why; the migrations it applied are not printed.
    expect(imported.stdout).toMatch(/metrics +10 points, 1 skipped \(no readable time\)/)
    expect(imported.stdout + imported.stderr).not.toContain('applied migration')

    const cli = await startCli(['--ports', '0,0,0,0', '--data-dir', dataDir], { env: { API_KEY: KEY } })
    try {
      const headers = { 'x-api-key': KEY, 'content-type': 'application/json' }
      const group = (await (await fetch(`${cli.urls.errors}api/errors/17`, { headers })).json()) as {
        count: number
        fingerprint: string
        first_seen: string
        occurrences: { request_url: string }[]
      }
      expect(group).toMatchObject({ count: 7, fingerprint: 'bfe948320647333075d782d84349909c' })
      expect(group.first_seen).toContain('2025-06-01')
      expect(group.occurrences.map((occurrence) => occurrence.request_url)).toEqual([
        '/checkout?n=4',
        '/checkout?n=3',
        '/checkout?n=2',
        '/checkout?n=1',
        '/checkout?n=0',
      ])

      // The same report as before the upgrade joins its old group.
      const report = {
        project: 'e2e-test',
        exception_type: 'TestError',
        message: 'boom',
        traceback:
          'Traceback (most recent call last):\n  File "/app/test.py", line 42, in f\nTestError: boom\n',
      }
      const again = await fetch(`${cli.urls.errors}api/errors`, {
        method: 'POST',
        headers,
        body: JSON.stringify(report),
      })
      expect(await again.json()).toEqual({ status: 'incremented', id: 17, count: 8 })
      const list = await (
        await fetch(`${cli.urls.errors}api/errors?resolved=true&source=browser`, { headers })
      ).text()
      expect(list).toContain('"id":23')
      // New groups get ids after the imported ones.
      const fresh = await fetch(`${cli.urls.errors}api/errors`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...report, exception_type: 'OtherError' }),
      })
      expect(((await fresh.json()) as { id: number }).id).toBeGreaterThan(23)

      // The deployed SDK's key still works; the deactivated one does not.
      const browser = (key: string) =>
        fetch(`${cli.urls.relay}api/browser/errors`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-monlight-key': key },
          body: '{"type":"Error","message":"after upgrade","stack":"Error: after upgrade"}',
        })
      expect((await browser('0123456789abcdef0123456789abcdef')).status).toBe(201)
      expect((await browser('fedcba9876543210fedcba9876543210')).status).toBe(401)
      const maps = await (await fetch(`${cli.urls.relay}api/source-maps?project=web`, { headers })).text()
      expect(maps).toContain('/static/app.min.js')

      // Old log lines are searchable; old points are listed and aggregate into rollups.
      const found = await (
        await fetch(`${cli.urls.logs}api/logs?q=KeyError&container=api`, { headers })
      ).text()
      expect(found).toContain('order_id')
      const names = await (
        await fetch(`${cli.urls.metrics}api/metrics/names?project=shop`, { headers })
      ).text()
      expect(names).toContain('http_request_duration_seconds')
    } finally {
      await cli.stop()
      killAll()
    }

    const twice = await runCli(['import', '--from', original, '--data-dir', dataDir])
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('import into a fresh data dir')
  })

  it('says where it looked when the folder holds no original database', async () => {
    const result = await runCli(['import', '--from', tempDir()])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('no original Monlight database in')
  })
})
