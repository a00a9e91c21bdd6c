/**
 * Results computed from rollups, kept until rollups can have changed: only aggregation writes them, so every
 * local aggregation run clears the cache, and entries expire after one aggregation interval so another instance's
 * run (several instances on one PostgreSQL) is seen as late as aggregation itself lags. Keys include the current
 * minute, because query windows move with the clock.
 */
export interface ResultCache {
  get<T>(key: string, compute: () => Promise<T>): Promise<T>
  clear(): void
}

const MAX_ENTRIES = 200

export function createResultCache(ttlMs: number, now: () => number): ResultCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>()
  return {
    get<T>(key: string, compute: () => Promise<T>): Promise<T> {
      const at = now()
      const fullKey = `${Math.floor(at / 60_000)}|${key}`
      const hit = entries.get(fullKey)
      if (hit && at - hit.at < ttlMs) return hit.value as Promise<T>
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!)
      const value = compute()
      entries.set(fullKey, { at, value })
      // A failure is not remembered.
      value.catch(() => entries.delete(fullKey))
      return value
    },
    clear: () => entries.clear(),
  }
}
