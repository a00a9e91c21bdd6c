import { MonlightConfigError } from '@monlight/core'
import type { Env } from '../config.js'

/**
 * A module's settings from the environment (upstream names such as SMTP_PORT). Empty means unset, as compose
 * files pass `VAR=`; a bad value stops the start with a message naming the variable and what it accepts.
 */
export interface EnvReader {
  text(name: string): string | undefined
  /** Comma-separated, trimmed, empty entries dropped. */
  list(name: string): string[]
  /** A whole number within `[min, max]` (default: 1 or more). */
  integer(name: string, range?: { min?: number; max?: number }): number | undefined
  /** A number greater than zero, fractions allowed (e.g. hours). */
  positive(name: string): number | undefined
  /** An http:// or https:// URL. */
  url(name: string): string | undefined
  /** One of `choices`, case-insensitive. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined
}

export function envReader(env: Env): EnvReader {
  const text = (name: string) => env[name]?.trim() || undefined
  const invalid = (name: string, value: string, rule: string) =>
    new MonlightConfigError(`${name}=${value} is invalid: use ${rule}`)
  return {
    text,
    list: (name) =>
      (text(name) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    integer(name, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
      const value = text(name)
      if (value === undefined) return undefined
      const parsed = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
      if (parsed >= min && parsed <= max) return parsed
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`
      throw invalid(name, value, `a whole number ${range}`)
    },
    positive(name) {
      const value = text(name)
      if (value === undefined) return undefined
      const parsed = Number(value)
      if (parsed > 0 && Number.isFinite(parsed)) return parsed
      throw invalid(name, value, 'a positive number')
    },
    url(name) {
      const value = text(name)
      if (value !== undefined && !/^https?:\/\/[^\s/]+/i.test(value))
        throw invalid(name, value, 'an http:// or https:// URL')
      return value
    },
    choice(name, choices) {
      const value = text(name)
      if (value === undefined) return undefined
      const found = choices.find((choice) => choice === value.toLowerCase())
      if (found) return found
      throw invalid(name, value, choices.join(', '))
    },
  }
}
