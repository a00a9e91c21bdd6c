import type { RawPoints } from '../store/store.js'

/**
 * The upper bounds of the cumulative buckets every histogram is exposed with (`le`), 1-2.5-5 steps from 0.001 to
 * 100,000: one set fits milliseconds and seconds alike, and Prometheus' histogram_quantile needs the same bounds
 * on every scrape. A value above the last bound counts in `+Inf` only.
 */
export const BUCKET_BOUNDS: readonly number[] = [-3, -2, -1, 0, 1, 2, 3, 4]
  .flatMap((exponent) => [1, 2.5, 5].map((step) => Number((step * 10 ** exponent).toPrecision(3))))
  .concat([100_000])

/** Per-bucket counts, `BUCKET_BOUNDS.length + 1` of them (the last is above every bound). */
export type BucketCounts = number[]

export const emptyBuckets = (): BucketCounts => new Array<number>(BUCKET_BOUNDS.length + 1).fill(0)

/** Adds flat `[ts, value, count, …]` points to per-bucket counts. */
export function countIntoBuckets(counts: BucketCounts, points: RawPoints): void {
  for (let i = 0; i + 2 < points.length; i += 3) counts[bucketIndex(points[i + 1]!)]! += points[i + 2]!
}

/** The first bucket whose bound is at or above `value` (binary search). */
function bucketIndex(value: number): number {
  let low = 0
  let high = BUCKET_BOUNDS.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (BUCKET_BOUNDS[middle]! >= value) high = middle
    else low = middle + 1
  }
  return low
}

/** Stored counts as read back: anything unreadable (or of another length) counts as nothing yet. */
export function parseBuckets(text: string | null | undefined): BucketCounts {
  if (!text) return emptyBuckets()
  try {
    const counts = JSON.parse(text) as unknown
    if (
      Array.isArray(counts) &&
      counts.length === BUCKET_BOUNDS.length + 1 &&
      counts.every((count) => typeof count === 'number' && Number.isFinite(count))
    )
      return counts as BucketCounts
  } catch {}
  return emptyBuckets()
}
