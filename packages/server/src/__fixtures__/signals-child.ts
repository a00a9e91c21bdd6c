// Runs exitOnSignals with a close() that takes as long as argv[2] says (ms; 'never' for never), for signals.test.ts.
import { createLogger } from '@monlight/core'
import { exitOnSignals } from '../signals.js'

const closeMs = process.argv[2] === 'never' ? undefined : Number(process.argv[2])
const limitMs = Number(process.argv[3] ?? 9000)
const close = () =>
  new Promise<void>((resolve) => {
    if (closeMs !== undefined) setTimeout(resolve, closeMs)
  })
exitOnSignals(close, createLogger({ level: 'info' }), limitMs)
// Keep the process alive like a listening server would.
setInterval(() => {}, 1000)
process.stdout.write('ready\n')
