/**
 * Runs `deleteBatch` until it deletes fewer than `batchSize` rows (or `signal` aborts); returns the rows deleted
 * in all. Between batches the event loop runs: on better-sqlite3 every batch is synchronous, so batches awaited
 * one after another never let I/O in, and a long clean-up stalled every request until it ended (seconds, while
 * logs arrived at 200,000 lines/s).
 */
export async function deleteInBatches(
  deleteBatch: () => Promise<number>,
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  let total = 0
  while (!signal?.aborted) {
    const deleted = await deleteBatch()
    total += deleted
    if (deleted < batchSize) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  return total
}
