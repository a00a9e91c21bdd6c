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

/** The environment with the config file's variables underneath: the real environment wins over the file. */
export function withConfigFile(env: Env, path: string | undefined, cwd?: string): Env {
  const file = path ?? env.MONLIGHT_CONFIG
  return file ? { ...readConfigFile(file, cwd), ...env } : env
}
