/**
 * How deep free-form JSON (log attributes, error `extra`) may nest. Deeper data is refused at ingest: what is
 * stored must always be readable, and `JSON.stringify` overflows the stack near 5,000 levels, sooner with the
 * wrappers a read response adds.
 */
export const MAX_JSON_DEPTH = 32

/** Whether `value` nests objects and arrays deeper than `max` levels. Iterative: safe at any depth. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]]
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth >= max) return true
    for (const child of Array.isArray(current) ? current : Object.values(current))
      pending.push([child, depth + 1])
  }
  return false
}
