import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { sharedOptions } from '../build-options.js'

const SRC = fileURLToPath(new URL('..', import.meta.url))

/** The published ESM file, built as tsup builds it (mangled internals, not minified). */
async function buildPackage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'monlight-browser-'))
  const result = await build({
    ...sharedOptions,
    entryPoints: [join(SRC, 'index.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  writeFileSync(join(dir, 'index.js'), result.outputFiles[0]!.text)
  return dir
}

let packageDir: Promise<string> | undefined

/** What an app's bundler makes of `contents` importing from `@monlight/browser` (minified, tree-shaken). */
export async function bundleApp(contents: string): Promise<string> {
  packageDir ??= buildPackage()
  const result = await build({
    stdin: { contents: contents.replaceAll('@monlight/browser', './index.js'), resolveDir: await packageDir },
    bundle: true,
    minify: true,
    format: 'esm',
    target: sharedOptions.target,
    platform: sharedOptions.platform,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** The script-tag bundle, as tsup builds it, from source so tests always run the current code. */
export async function bundleIife(): Promise<string> {
  const result = await build({
    ...sharedOptions,
    entryPoints: [join(SRC, 'iife.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

export const gzipSize = (code: string): number => gzipSync(code, { level: 9 }).length
