import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startHttpReceiver } from '@monlight/test-utils'
import { describe, expect, it } from 'vitest'

describe('flushOnShutdown', () => {
  it('flushes on SIGTERM, then exits by the signal when the app has no handler of its own', async () => {
    const receiver = await startHttpReceiver()
    try {
      const fixture = fileURLToPath(new URL('./__fixtures__/shutdown-app.ts', import.meta.url))
      const child = spawn(process.execPath, [
        '--conditions=@monlight/source',
        '--import',
        'tsx',
        fixture,
        receiver.url,
      ])
      await once(child.stdout, 'data')
      child.kill('SIGTERM')
      const [code, signal] = await once(child, 'exit')
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' })
      const names = receiver.received.flatMap((r) =>
        (r.body as { name: string }[]).map((point) => point.name),
      )
      expect(names).toEqual(['before_sigterm'])
    } finally {
      await receiver.close()
    }
  })
})
