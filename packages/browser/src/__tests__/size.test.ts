import { expect, test } from 'vitest'
import { bundleApp, bundleIife, gzipSize } from './bundle.js'

/** Minified + gzipped budgets (architecture.md §8): what an app pays for each import. */
const COMBINATIONS: Array<[name: string, entry: string, budget: number]> = [
  ['errors only', `export { createClient, errorsIntegration } from '@monlight/browser'`, 1800],
  [
    'errors + breadcrumbs + console',
    `export { createClient, errorsIntegration, breadcrumbsIntegration, consoleIntegration } from '@monlight/browser'`,
    3400,
  ],
  ['web vitals only', `export { createClient, webVitalsIntegration } from '@monlight/browser'`, 3400],
  ['network only', `export { createClient, networkIntegration } from '@monlight/browser'`, 3400],
  ['everything: init()', `export { init } from '@monlight/browser'`, 3400],
  [
    'everything: createClient + all',
    `import * as m from '@monlight/browser'; export const c = (o) => m.createClient(o, [m.errorsIntegration(), m.breadcrumbsIntegration(), m.consoleIntegration(), m.networkIntegration(), m.webVitalsIntegration()])`,
    3400,
  ],
]

test('bundle sizes stay within budget (min+gzip)', async () => {
  const rows: Array<[string, number, number]> = []
  for (const [name, entry, budget] of COMBINATIONS)
    rows.push([name, gzipSize(await bundleApp(entry)), budget])
  rows.push(['IIFE script tag (MonlightSDK)', gzipSize(await bundleIife()), 3400])
  const table = rows.map(
    ([name, size, budget]) => `| ${name.padEnd(32)} | ${`${size}`.padStart(5)} | ${budget} |`,
  )
  console.info(['| combination (min+gzip) | bytes | budget |', '|---|---:|---:|', ...table].join('\n'))
  for (const [name, size, budget] of rows) expect(size, name).toBeLessThanOrEqual(budget)
}, 30_000)
