#!/usr/bin/env node
/**
 * Around `npm pack` / `npm publish` of a workspace package (its prepack and postpack scripts):
 * - `strip`: drops the `@monlight/source` export condition (it names `src/`, which is not shipped; inside this
 *   repository it lets tests and tools run the TypeScript sources) and copies the repository's LICENSE in;
 * - `restore`: puts package.json back and removes the copied LICENSE.
 * The original package.json waits in `.package.json.orig`, which the tarball never includes.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const CONDITION = '@monlight/source'
const BACKUP = '.package.json.orig'
const LICENSE = fileURLToPath(new URL('../LICENSE', import.meta.url))

const withoutCondition = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== CONDITION)
      .map(([key, inner]) => [key, withoutCondition(inner)]),
  )
}

const command = process.argv[2]
if (command === 'strip') {
  if (existsSync(BACKUP))
    throw new Error(`${BACKUP} exists: a previous pack did not finish; restore it first`)
  const text = readFileSync('package.json', 'utf8')
  writeFileSync(BACKUP, text)
  const manifest = JSON.parse(text)
  manifest.exports = withoutCondition(manifest.exports)
  writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`)
  copyFileSync(LICENSE, 'LICENSE')
} else if (command === 'restore') {
  if (existsSync(BACKUP)) renameSync(BACKUP, 'package.json')
  rmSync('LICENSE', { force: true })
} else {
  console.error('usage: pack-manifest.mjs strip|restore')
  process.exit(2)
}
