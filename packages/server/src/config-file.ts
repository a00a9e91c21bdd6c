import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { MonlightConfigError } from '@monlight/core'
import type { Env } from './config.js'

const VARIABLE = /^[A-Z_][A-Z0-9_]*$/

/**
 * Reads a config file of environment variables: `.json` (an object such as `{"API_KEY": "…", "SMTP_PORT": 587}`)
 * or anything else in `.env` format (`API_KEY=…` lines). The same names as the environment, so one reference covers
 * both.
 */
export function readConfigFile(path: string, cwd = process.cwd()): Env {
  const file = resolve(cwd, path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new MonlightConfigError(
      `cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    )
  }
  if (extname(file).toLowerCase() !== '.json') return parseEnv(text)

  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new MonlightConfigError(`the config file ${file} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new MonlightConfigError(
      `the config file ${file} must hold a JSON object of variables, e.g. {"API_KEY": "…"}`,
    )
  }
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(data)) {
    if (!VARIABLE.test(name)) {
      throw new MonlightConfigError(
        `the config file ${file}: '${name}' is not a variable name (use e.g. MONLIGHT_PORT, SMTP_HOST)`,
      )
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new MonlightConfigError(`the config file ${file}: ${name} must be a string, number or boolean`)
    }
    env[name] = String(value)
  }
  return env
}

/**
 * The environment with the config file's variables underneath (the real environment wins over the file), and the
 * names the file set.
 */
export function withConfigFile(
  env: Env,
  path: string | undefined,
  cwd?: string,
): { env: Env; fileVariables: string[] } {
  const file = path ?? env.MONLIGHT_CONFIG
  if (!file) return { env, fileVariables: [] }
  const variables = readConfigFile(file, cwd)
  return { env: { ...variables, ...env }, fileVariables: Object.keys(variables) }
}

/**
 * The environment, recording every name the server and the modules look up: after start, a config-file variable
 * that nothing looked up is one Monlight does not know (a typo such as RETENTON_DAYS).
 */
export function trackReads(env: Env): { env: Env; read: Set<string> } {
  const read = new Set<string>()
  const tracked = new Proxy(env, {
    get(target, name, receiver) {
      if (typeof name === 'string') read.add(name)
      return Reflect.get(target, name, receiver)
    },
  })
  return { env: tracked, read }
}

/** One warning per config-file variable nothing read, with the closest name that was read when one is near. */
export function unknownFileVariables(fileVariables: readonly string[], read: ReadonlySet<string>): string[] {
  const known = [...read].filter((name) => VARIABLE.test(name))
  return fileVariables
    .filter((name) => !read.has(name))
    .map((name) => {
      const near = closest(name, known)
      return near
        ? `The config file sets ${name}, which Monlight does not know: it is ignored (did you mean ${near}?)`
        : `The config file sets ${name}, which these settings do not use: it is ignored (an unknown name, or one that needs another setting)`
    })
}

/** The candidate within an edit distance of 3 (and under a third of the name), nearest first; undefined if none. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.min(3, Math.floor(name.length / 3))
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length]!
}
