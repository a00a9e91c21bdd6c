import { readFileSync } from 'node:fs'

let version: string | undefined

/** This package's version, read from its package.json at run time (the same relative path from src/ and dist/). */
export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version
  return version
}
