/**
 * Runs the benchmarks: `npm run bench` (all) or `npm run bench -- http-kit` (by name). Each benchmark is a
 * `*.bench.ts` file run in its own process; each prints its figures as ratios to a baseline measured in the same
 * run, because the machines are shared and absolute numbers drift.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const wanted = process.argv.slice(2)
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort()
const selected = wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all
const unknown = wanted.filter((name) => !all.includes(name))
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}. Available: ${all.join(', ')}`)
  process.exit(2)
}

let failed = false
for (const name of selected) {
  console.log(`\n# ${name}`)
  const result = spawnSync(
    process.execPath,
    ['--conditions=@monlight/source', '--import', 'tsx', `${dir}${name}.bench.ts`],
    { stdio: 'inherit' },
  )
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
