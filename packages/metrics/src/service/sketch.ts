/**
 * A mergeable quantile sketch in the style of DDSketch (Masson et al., VLDB 2019): values fall into logarithmic
 * buckets whose width is a fixed fraction of their value, so any quantile read back is within `ACCURACY` of the
 * exact value, and two sketches merge by adding bucket counts. An hour is therefore merged from its minutes
 * instead of averaging their percentiles.
 */

/** Relative accuracy of every quantile: 0.5 %. */
export const ACCURACY = 0.005
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
/** Values closer to zero than this are counted as zero. */
const MIN_VALUE = 1e-9
/** Buckets kept per sign; beyond it the lowest buckets collapse (only the extreme low tail loses accuracy). */
const MAX_BUCKETS = 4096

/** Counts of consecutive bucket indexes, starting at `offset` (dense: merging is array addition). */
class Buckets {
  offset = 0
  counts: number[] = []

  add(index: number, count: number): void {
    this.cover(index, index)
    this.counts[index - this.offset]! += count
    if (this.counts.length > MAX_BUCKETS) this.collapseLowest()
  }

  /** Adds `[index, count, ...]` pairs, growing the array once rather than per pair; returns the count added. */
  addPairs(flat: readonly number[]): number {
    if (flat.length < 2) return 0
    let low = flat[0]!
    let high = low
    for (let i = 2; i + 1 < flat.length; i += 2) {
      if (flat[i]! < low) low = flat[i]!
      else if (flat[i]! > high) high = flat[i]!
    }
    this.cover(low, high)
    const { counts, offset } = this
    let added = 0
    for (let i = 0; i + 1 < flat.length; i += 2) {
      counts[flat[i]! - offset]! += flat[i + 1]!
      added += flat[i + 1]!
    }
    if (counts.length > MAX_BUCKETS) this.collapseLowest()
    return added
  }

  /** Makes room for the indexes low..high. */
  private cover(low: number, high: number): void {
    const { counts } = this
    if (counts.length === 0) {
      this.offset = low
      for (let i = low; i <= high; i++) counts.push(0)
      return
    }
    if (low < this.offset) {
      this.counts = new Array<number>(this.offset - low).fill(0).concat(counts)
      this.offset = low
    }
    while (high >= this.offset + this.counts.length) this.counts.push(0)
  }

  private collapseLowest(): void {
    const excess = this.counts.length - MAX_BUCKETS
    const folded = this.counts.slice(0, excess + 1).reduce((sum, c) => sum + c, 0)
    this.counts = [folded, ...this.counts.slice(excess + 1)]
    this.offset += excess
  }

  /** `[index, count, ...]` of the non-empty buckets, ascending. */
  pairs(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.counts.length; i++)
      if (this.counts[i]) out.push(this.offset + i, this.counts[i]!)
    return out
  }
}

export interface Sketch {
  positive: Buckets
  /** Magnitudes of negative values. */
  negative: Buckets
  zero: number
  count: number
}

export function createSketch(): Sketch {
  return { positive: new Buckets(), negative: new Buckets(), zero: 0, count: 0 }
}

const indexOf = (magnitude: number) => Math.ceil(Math.log(magnitude) / LOG_GAMMA)
/** The value a bucket stands for: the point with equal relative distance to both bucket bounds. */
const bucketValue = (index: number) => (2 * GAMMA ** index) / (GAMMA + 1)

export function addValue(sketch: Sketch, value: number, count = 1): void {
  sketch.count += count
  if (Math.abs(value) < MIN_VALUE) sketch.zero += count
  else if (value > 0) sketch.positive.add(indexOf(value), count)
  else sketch.negative.add(indexOf(-value), count)
}

export function mergeInto(target: Sketch, source: Sketch): void {
  target.count += source.count
  target.zero += source.zero
  for (const [from, to] of [
    [source.positive, target.positive],
    [source.negative, target.negative],
  ] as const) {
    for (let i = 0; i < from.counts.length; i++) if (from.counts[i]) to.add(from.offset + i, from.counts[i]!)
  }
}

/**
 * The value at quantile `q` (0..1) by nearest rank, as upstream computed it from raw values: the element at
 * 0-based rank ceil(q·n) − 1 of the sorted values. `undefined` for an empty sketch.
 */
export function quantile(sketch: Sketch, q: number): number | undefined {
  if (sketch.count === 0) return undefined
  const rank = Math.max(0, Math.ceil(q * sketch.count) - 1)
  let seen = 0
  // Ascending order: most negative first (largest magnitude), then zero, then positives.
  const { negative, positive } = sketch
  for (let i = negative.counts.length - 1; i >= 0; i--) {
    seen += negative.counts[i]!
    if (seen > rank) return -bucketValue(negative.offset + i)
  }
  seen += sketch.zero
  if (seen > rank) return 0
  for (let i = 0; i < positive.counts.length; i++) {
    seen += positive.counts[i]!
    if (seen > rank) return bucketValue(positive.offset + i)
  }
  return bucketValue(positive.offset + positive.counts.length - 1)
}

/** Compact JSON: `{"z":zeros,"p":[index,count,...],"n":[...]}`. */
export function encodeSketch(sketch: Sketch): string {
  return JSON.stringify({ z: sketch.zero, p: sketch.positive.pairs(), n: sketch.negative.pairs() })
}

/** Adds an encoded sketch into `target`; unreadable text adds nothing (never throws on stored data). */
export function mergeEncoded(target: Sketch, text: string | null | undefined): void {
  if (!text) return
  let data: { z?: number; p?: number[]; n?: number[] }
  try {
    data = JSON.parse(text)
  } catch {
    return
  }
  target.count += target.positive.addPairs(data.p ?? []) + target.negative.addPairs(data.n ?? [])
  target.zero += data.z ?? 0
  target.count += data.z ?? 0
}

export function decodeSketch(text: string | null | undefined): Sketch {
  const sketch = createSketch()
  mergeEncoded(sketch, text)
  return sketch
}
