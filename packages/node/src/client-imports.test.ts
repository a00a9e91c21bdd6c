import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const TRACE = fileURLToPath(new URL('./__fixtures__/load-trace.mjs', import.meta.url))
const ENTRIES = [
  '@monlight/node',
  '@monlight/node/express',
  '@monlight/node/koa',
  '@monlight/node/hono',
  '@monlight/node/http',
]

// A client-only app (it reports over HTTP) must not need the server kernel's packages: with strict installs
// (pnpm, yarn) they are not there, and they weigh ~16 MB. Runs the built package, as an app would.
const packagesLoaded = (imports: string[]) => {
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      TRACE,
      '--input-type=module',
      '-e',
      imports.map((entry) => `await import('${entry}')`).join(';'),
    ],
    { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) },
  )
  return new Set(output.split('\n').flatMap((line) => (line.startsWith('loaded ') ? [line.slice(7)] : [])))
}
const KERNEL = ['kysely', 'zod', 'h3', 'srvx', 'better-sqlite3', 'pg']

// A client-only app (it reports over HTTP) must not need the server kernel's packages: with strict installs
// (pnpm, yarn) they are not there, and they weigh ~16 MB. Runs the built package, as an app would.
it('the client paths load none of kysely, zod, h3 or srvx', () => {
  expect([...packagesLoaded(ENTRIES)].filter((name) => KERNEL.includes(name))).toEqual([])
  // The trace itself works: the server kernel does load them.
  expect([...packagesLoaded(['@monlight/core'])].filter((name) => KERNEL.includes(name)).sort()).toEqual([
    'h3',
    'kysely',
    'srvx',
    'zod',
  ])
})
