import * as z from 'zod'
import { MonlightConfigError } from './errors.js'

/**
 * Validates `input` against a zod schema and returns the parsed value, or throws a {@link MonlightConfigError}
 * that names the package and says what to fix.
 *
 * @example
 * const options = resolveOptions('@monlight/errors', errorsOptionsSchema, input)
 */
export function resolveOptions<S extends z.ZodType>(
  packageName: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new MonlightConfigError(`${packageName}: invalid options\n${z.prettifyError(result.error)}`)
}
