#!/usr/bin/env node
/**
 * Around `npm pack` / `npm publish` of a workspace package (its prepack and postpack scripts):
 * - `strip`: drops the `@monlight/source` export condition (it names `src/`, which is not shipped; inside this
 *   repository it lets tests and tools run the TypeScript sources), adds `repository` (with the package's folder),
 *   `homepage` and `bugs` from the root package.json (the one place the project's URL is written), and copies the
 *   repository's LICENSE in;
 * - `restore`: puts package.json back and removes the copied LICENSE.
 * The original package.json waits in `.package.json.orig`, which the tarball never includes.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'

const CONDITION = '@monlight/source'
const BACKUP = '.package.json.orig'
const LICENSE = fileURLToPath(new URL('../LICENSE', import.meta.url))
const ROOT = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

/** Where the package lives in the repository, for the registry's "Repository" and "Homepage" links. */
const projectLinks = (folder) => {
  const web = ROOT.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
  return {
    repository: { ...ROOT.repository, directory: `packages/${folder}` },
    homepage: `${web}/tree/main/packages/${folder}#readme`,
    bugs: ROOT.bugs,
  }
}

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
  const packed = { ...manifest, ...projectLinks(basename(process.cwd())) }
  writeFileSync('package.json', `${JSON.stringify(packed, null, 2)}\n`)
  copyFileSync(LICENSE, 'LICENSE')
} else if (command === 'restore') {
  if (existsSync(BACKUP)) renameSync(BACKUP, 'package.json')
  rmSync('LICENSE', { force: true })
} else {
  console.error('usage: pack-manifest.mjs strip|restore')
  process.exit(2)
}
