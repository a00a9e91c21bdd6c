import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@monlight/core'
import { createTestDatabase, describeDialects, type TestDatabase } from '@monlight/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createLogs, type LogsModule } from '../index.js'
import { createLogsStore } from '../store/store.js'
import { dockerLine, makeContainer, writeLogs } from './__fixtures__/docker-dir.js'
import { containerMatcher, createDockerIngestor, discoverContainers } from './index.js'

describe('container discovery', () => {
  it('matches exact names and globs; empty or * means all', () => {
    expect(containerMatcher([])('x')).toBe(true)
    expect(containerMatcher([' ', ''])('x')).toBe(true)
    expect(containerMatcher(['api', '*'])('x')).toBe(true)
    const match = containerMatcher(['api', 'web-*', '*-db', 'a?c'])
    expect(['api', 'web-1', 'web-', 'main-db', 'abc'].every(match)).toBe(true)
    expect(['apix', 'xweb-1', 'db', 'ac', 'a.c.'].some(match)).toBe(false)
    expect(containerMatcher(['a.b'])('axb')).toBe(false)
  })

  it('reads names from config.v2.json and skips folders without one', () => {
    const root = mkdtempSync(join(tmpdir(), 'logs-discover-'))
    makeContainer(root, 'b1', 'web-1')
    makeContainer(root, 'a1', 'api')
    writeFileSync(join(root, 'junk.txt'), '')
    rmSync(join(root, 'nocfg'), { recursive: true, force: true })
    expect(discoverContainers(root, () => true).map((c) => c.name)).toEqual(['api', 'web-1'])
    expect(discoverContainers(root, containerMatcher(['web-*']))).toEqual([
      { name: 'web-1', logPath: join(root, 'b1', 'b1-json.log') },
    ])
  })
})

describeDialects('docker json-file ingestion', (dialect) => {
  let database: TestDatabase
  let logs: LogsModule
  let root: string
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    logs = createLogs({ database, apiKeys: false })
    await logs.migrate()
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    await database.db.deleteFrom('monlight_logs_entry').execute()
    await database.db.deleteFrom('monlight_logs_cursor').execute()
    root = mkdtempSync(join(tmpdir(), 'logs-docker-'))
  })

  const ingestor = (options: { containers?: string[]; tailBuffer?: number; graceMs?: number } = {}) =>
    createDockerIngestor({
      sources: root,
      containers: options.containers ?? [],
      pollIntervalSeconds: 1,
      tailBuffer: options.tailBuffer ?? 1 << 30,
      rescanSeconds: 30,
      multilineGraceMs: options.graceMs ?? 60_000,
      service: logs.service,
      store: createLogsStore(database),
      logger: silentLogger,
    })
  const stored = async () =>
    (await logs.service.query({ limit: '500' })).logs.reverse().map((l) => ({
      container: l.container,
      stream: l.stream,
      level: l.level,
      message: l.message,
    }))
  const messages = async () => (await stored()).map((l) => l.message)

  it('decodes JSON escapes, tracks containers by name and applies every level rule', async () => {
    const api = makeContainer(root, 'aaa', 'api')
    writeLogs(api, [
      'quote " backslash \\ tab\tend <b>',
      '{"level":"warn","msg":"json level"}',
      '{"severity":"ERROR","msg":"json severity"}',
      '{"level":50,"msg":"pino"}',
      '2025-01-20 [DEBUG] bracket',
      'ts=1 level=error msg=kv',
      'CRITICAL: prefix',
      'INFO:     127.0.0.1 - "GET / HTTP/1.1" 200',
      'plain stdout',
    ])
    writeLogs(api, ['plain stderr'], 'stderr')
    await ingestor({ graceMs: 0 }).runOnce()
    const rows = await stored()
    expect(rows[0]).toEqual({
      container: 'api',
      stream: 'stdout',
      level: 'INFO',
      message: 'quote " backslash \\ tab\tend <b>',
    })
    expect(rows.map((r) => r.level)).toEqual([
      'INFO',
      'WARNING',
      'ERROR',
      'ERROR',
      'DEBUG',
      'ERROR',
      'CRITICAL',
      'INFO',
      'INFO',
      'ERROR',
    ])
  })

  it('stores a JSON line (pino, zap, slog) as its text and its fields, filterable', async () => {
    const api = makeContainer(root, 'jjj', 'api')
    writeLogs(api, [
      JSON.stringify({ level: 30, time: 1, pid: 7, msg: 'order placed', order: { id: 42 } }),
      JSON.stringify({ level: 'error', message: 'card declined', user_id: 'u1' }),
      JSON.stringify({ event: 'no text field' }),
      '{"msg": "broken" ',
    ])
    await ingestor({ graceMs: 0 }).runOnce()
    const rows = (await logs.service.query({ limit: '10' })).logs.reverse()
    expect(rows.map(({ level, message, attributes }) => ({ level, message, attributes }))).toEqual([
      {
        level: 'INFO',
        message: 'order placed',
        attributes: { level: 30, time: 1, pid: 7, order: { id: 42 } },
      },
      { level: 'ERROR', message: 'card declined', attributes: { level: 'error', user_id: 'u1' } },
      { level: 'INFO', message: '{"event":"no text field"}', attributes: { event: 'no text field' } },
      { level: 'INFO', message: '{"msg": "broken"', attributes: undefined },
    ])
    const found = await logs.service.query({ search: 'attr.order.id:42 placed' })
    expect(found.logs.map((log) => log.message)).toEqual(['order placed'])
  })

  it('joins Python tracebacks (with the final exception line), JS stacks and indented lines, per stream', async () => {
    const path = makeContainer(root, 'py', 'py')
    writeLogs(path, [
      'ERROR: request failed',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 10, in handler',
      '    do_it()',
      'ValueError: bad value',
      'next entry',
      'TypeError: x is undefined',
      '    at f (/app/a.js:1:2)',
      '    at g (/app/b.js:3:4)',
      'java.lang.IllegalStateException: boom',
      '\tat com.x.Y.z(Y.java:10)',
      'Caused by: java.io.IOException: disk',
      '\t... 3 more',
      'last',
    ])
    const run = ingestor()
    await run.runOnce()
    await run.flush()
    expect(await messages()).toEqual([
      'ERROR: request failed\nTraceback (most recent call last):\n  File "/app/main.py", line 10, in handler\n    do_it()\nValueError: bad value',
      'next entry',
      'TypeError: x is undefined\n    at f (/app/a.js:1:2)\n    at g (/app/b.js:3:4)',
      'java.lang.IllegalStateException: boom\n\tat com.x.Y.z(Y.java:10)\nCaused by: java.io.IOException: disk\n\t... 3 more',
      'last',
    ])
    expect((await stored())[0]!.level).toBe('ERROR')
  })

  it('keeps assembling across polls and restarts, and flushes after the grace period', async () => {
    const path = makeContainer(root, 'mp', 'mp')
    writeLogs(path, ['Traceback (most recent call last):', '  File "a.py", line 1, in <module>'], 'stderr')
    writeLogs(path, ['interleaved stdout'])
    await ingestor().runOnce() // then "crash": both pending entries live only in the saved cursor
    expect(await messages()).toEqual([])
    writeLogs(path, ['    raise KeyError("k")', "KeyError: 'k'"], 'stderr')
    const second = ingestor({ graceMs: 0 })
    await second.runOnce()
    expect(await messages()).toEqual([
      'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n    raise KeyError("k")\nKeyError: \'k\'',
      'interleaved stdout',
    ])
  })

  it('leaves a partial last line for the next read and handles long lines and Docker 16 KiB pieces', async () => {
    const path = makeContainer(root, 'pl', 'pl')
    const line = dockerLine('complete me\n')
    appendFileSync(path, line.slice(0, 20))
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    expect(await messages()).toEqual([])
    appendFileSync(path, line.slice(20))
    const long = 'x'.repeat(200 * 1024)
    writeLogs(path, [long])
    const pieces = ['a'.repeat(16384), 'b'.repeat(16384), 'c\n']
    appendFileSync(path, pieces.map((p) => dockerLine(p)).join(''))
    await run.poll()
    expect((await messages()).map((m) => m.length)).toEqual([11, long.length, 16384 * 2 + 1])
  })

  it('drains a rotated file (including lines written after the rename), then reads the new one', async () => {
    const path = makeContainer(root, 'rot', 'rot')
    writeLogs(path, ['one', 'two'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    writeLogs(path, ['three'])
    renameSync(path, `${path}.1`)
    writeLogs(`${path}.1`, ['four (late write to the old file)'])
    writeLogs(path, ['five', 'six'])
    await run.poll()
    expect(await messages()).toEqual([
      'one',
      'two',
      'three',
      'four (late write to the old file)',
      'five',
      'six',
    ])
  })

  it('waits for the new file when a rotation renamed the old one and nothing replaced it yet', async () => {
    const path = makeContainer(root, 'gap', 'gap')
    writeLogs(path, ['g1'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    writeLogs(path, ['g2'])
    renameSync(path, `${path}.1`)
    await run.poll()
    run.rescan()
    writeLogs(path, ['g3'])
    await run.poll()
    expect(await messages()).toEqual(['g1', 'g2', 'g3'])
  })

  it('after a restart, finds the rotated file by inode and loses nothing', async () => {
    const path = makeContainer(root, 'rr', 'rr')
    writeLogs(path, ['a1'])
    await ingestor({ graceMs: 0 }).runOnce()
    writeLogs(path, ['a2'])
    renameSync(path, `${path}.1`)
    writeLogs(path, ['b1'])
    await ingestor({ graceMs: 0 }).runOnce()
    expect(await messages()).toEqual(['a1', 'a2', 'b1'])
  })

  it('starts over after copytruncate', async () => {
    const path = makeContainer(root, 'ct', 'ct')
    writeLogs(path, ['before 1', 'before 2'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    truncateSync(path, 0)
    writeLogs(path, ['after'])
    await run.poll()
    expect(await messages()).toEqual(['before 1', 'before 2', 'after'])
  })

  it('notices a truncation even when the file grew past the cursor again before the next read', async () => {
    const path = makeContainer(root, 'ct2', 'ct2')
    writeLogs(path, ['old'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    truncateSync(path, 0)
    writeLogs(path, ['a much longer first line after the truncation', 'second'])
    await run.poll()
    expect(await messages()).toEqual(['old', 'a much longer first line after the truncation', 'second'])
  })

  it('after two rotations while down, reads the file in between too', async () => {
    const path = makeContainer(root, 'r2', 'r2')
    writeLogs(path, ['a1'])
    await ingestor({ graceMs: 0 }).runOnce()
    writeLogs(path, ['a2'])
    renameSync(path, `${path}.1`)
    writeLogs(path, ['b1', 'b2'])
    renameSync(`${path}.1`, `${path}.2`)
    renameSync(path, `${path}.1`)
    writeLogs(path, ['c1'])
    await ingestor({ graceMs: 0 }).runOnce()
    expect(await messages()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1'])
  })

  it('after two rotations between polls, reads the file in between too', async () => {
    const path = makeContainer(root, 'r3', 'r3')
    writeLogs(path, ['a1'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    renameSync(path, `${path}.1`)
    writeLogs(path, ['b1'])
    renameSync(`${path}.1`, `${path}.2`)
    renameSync(path, `${path}.1`)
    writeLogs(path, ['c1'])
    await run.poll()
    expect(await messages()).toEqual(['a1', 'b1', 'c1'])
  })

  it('notices a copytruncate whose new content has a newline just before the cursor', async () => {
    const path = makeContainer(root, 'ct3', 'ct3')
    writeLogs(path, ['same length 1', 'same length 2'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    truncateSync(path, 0)
    // Lines of the same length: the byte before the cursor is a newline again, and the file is as long.
    writeLogs(path, ['same length 3', 'same length 4', 'same length 5'])
    await run.poll()
    expect(await messages()).toEqual([
      'same length 1',
      'same length 2',
      'same length 3',
      'same length 4',
      'same length 5',
    ])
  })

  it('reads the lines a copytruncate left only in the copy (written after the last read)', async () => {
    const path = makeContainer(root, 'ct4', 'ct4')
    writeLogs(path, ['p1'])
    const run = ingestor({ graceMs: 0 })
    await run.runOnce()
    writeLogs(path, ['p2 (written before the copy)'])
    copyFileSync(path, `${path}.1`)
    truncateSync(path, 0)
    writeLogs(path, ['p3'])
    await run.poll()
    expect(await messages()).toEqual(['p1', 'p2 (written before the copy)', 'p3'])
  })

  it('reads only the last TAIL_BUFFER bytes of a file seen for the first time, from a line start', async () => {
    const path = makeContainer(root, 'tb', 'tb')
    writeLogs(
      path,
      Array.from({ length: 100 }, (_, i) => `line ${i}`),
    )
    await ingestor({ tailBuffer: 400, graceMs: 0 }).runOnce()
    const got = await messages()
    expect(got.length).toBeGreaterThan(2)
    expect(got.length).toBeLessThan(10)
    expect(got.at(-1)).toBe('line 99')
    expect(got.every((m) => /^line \d+$/.test(m))).toBe(true)
  })

  it('picks up containers that appear later and honours CONTAINERS', async () => {
    writeLogs(makeContainer(root, 'w1', 'web-1'), ['w1'])
    writeLogs(makeContainer(root, 'db', 'db'), ['db'])
    const run = ingestor({ containers: ['web-*'], graceMs: 0 })
    await run.runOnce()
    writeLogs(makeContainer(root, 'w2', 'web-2'), ['w2'])
    run.rescan()
    await run.poll()
    expect((await stored()).map((r) => r.container)).toEqual(['web-1', 'web-2'])
  })
})

describe('docker ingestion while running (notifications + poll)', () => {
  it('picks up new lines and new containers soon after they are written, and flushes a traceback after the grace period', async () => {
    const { createDatabase } = await import('@monlight/core')
    const database = await createDatabase({ sqlite: ':memory:' })
    const root = mkdtempSync(join(tmpdir(), 'logs-live-'))
    const logs = createLogs({
      database,
      apiKeys: false,
      docker: {
        sources: root,
        containers: ['*'],
        pollIntervalSeconds: 0.5,
        rescanSeconds: 0.5,
        multilineGraceMs: 200,
      },
    })
    await logs.migrate()
    const api = makeContainer(root, 'live1', 'api')
    const stop = logs.start()
    const waitForMessages = async (count: number) => {
      for (let i = 0; i < 100; i++) {
        const page = await logs.service.query({})
        if (page.total >= count) return page.logs.map((l) => `${l.container}: ${l.message}`).reverse()
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error('entries did not arrive')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    writeLogs(api, ['started'])
    writeLogs(api, ['Traceback (most recent call last):', '  File "a.py", line 1', 'OSError: gone'], 'stderr')
    // Docker creates the folder first and writes config.v2.json a moment later
    mkdirSync(join(root, 'live2'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    writeLogs(makeContainer(root, 'live2', 'worker'), ['worker up'])
    // timestamp order: the traceback carries its first line's time
    expect(await waitForMessages(3)).toEqual([
      'api: started',
      'api: Traceback (most recent call last):\n  File "a.py", line 1\nOSError: gone',
      'worker: worker up',
    ])
    await stop()
    await database.destroy()
  })
})
