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

/** The `apiKeys` option of every module: the keys it accepts, or `false` when the host authenticates. */
export const apiKeysOption = z.union(
  [
    z.literal(false),
    z
      .array(z.string().min(1, 'an API key must not be empty'))
      .min(1, 'apiKeys is empty: give at least one key, or false when the host authenticates'),
  ],
  { error: (issue) => apiKeysProblem(issue.input) },
)

/** What is wrong with an `apiKeys` value, in words a person can act on. */
function apiKeysProblem(input: unknown): string {
  if (!Array.isArray(input))
    return 'apiKeys must be an array of API keys, or false when the host authenticates'
  if (input.length === 0)
    return 'apiKeys is empty: give at least one key, or false when the host authenticates'
  const bad = input.findIndex((key) => typeof key !== 'string' || key === '')
  const key = input[bad]
  if (key === undefined) {
    return `apiKeys[${bad}] is undefined: is the environment variable that should hold the key set?`
  }
  return key === '' ? `apiKeys[${bad}] is empty` : `apiKeys[${bad}] must be a string, got ${typeof key}`
}
