import type * as z from 'zod'
import { MonlightError } from '../errors.js'

/**
 * Parses `value` with a zod schema or throws a 400 `VALIDATION_FAILED` whose detail names each bad field,
 * e.g. `limit: Too big: expected number to be <=500`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  )
  throw new MonlightError('VALIDATION_FAILED', `Invalid ${what}: ${problems.join('; ')}`)
}
