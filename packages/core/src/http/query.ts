import { getQuery, type H3Event } from 'h3'
import type * as z from 'zod'
import { MonlightError } from '../errors.js'
import { getRequestState } from './request-state.js'
import { parseInput } from './validate.js'

/**
 * The URL-decoded query parameters, one string each (the last wins when a key repeats, as upstream), each
 * bounded in length. With a schema, the values are validated and converted.
 *
 * @example
 * const { limit } = readQuery(event, z.object({ limit: z.coerce.number().int().max(500).default(100) }))
 */
export function readQuery(event: H3Event): Record<string, string>
export function readQuery<S extends z.ZodType>(event: H3Event, schema: S): z.output<S>
export function readQuery(event: H3Event, schema?: z.ZodType): unknown {
  const { maxQueryLength } = getRequestState(event)
  const query: Record<string, string> = {}
  for (const [key, raw] of Object.entries(getQuery(event))) {
    const value = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw)
    if (value.length > maxQueryLength) {
      throw new MonlightError(
        'VALIDATION_FAILED',
        `Query parameter '${key.slice(0, 64)}' is too long (max ${maxQueryLength} characters)`,
      )
    }
    query[key] = value
  }
  return schema ? parseInput(schema, query, 'query') : query
}
