interface Queued<T, R> {
  item: T
  resolve(result: R): void
  reject(error: unknown): void
}

/**
 * Group commit for an asynchronous writer (PostgreSQL's): one write in flight at a time, and the items that
 * arrive meanwhile go together in the next, as one call of `writeAll` (one transaction). Concurrent requests then
 * share a commit instead of queueing for each other's row locks. `writeAll` returns one result per item, in
 * order. Each caller's promise settles after its item's commit; if a shared write fails, its items are retried
 * one by one, so a failing item fails alone.
 */
export function groupCommit<T, R>(
  writeAll: (items: T[]) => Promise<R[]>,
  maxItems = 64,
): (item: T) => Promise<R> {
  let queue: Queued<T, R>[] = []
  let writing = false

  // Through a promise, so a writer that throws synchronously rejects like one that rejects.
  const write = (items: T[]) => Promise.resolve(items).then(writeAll)
  const writeAlone = ({ item, resolve, reject }: Queued<T, R>) =>
    write([item]).then((results) => resolve(results[0]!), reject)

  const drain = async () => {
    writing = true
    while (queue.length > 0) {
      const group = queue.slice(0, maxItems)
      queue = queue.slice(group.length)
      if (group.length === 1) {
        await writeAlone(group[0]!)
        continue
      }
      try {
        const results = await write(group.map((queued) => queued.item))
        for (const [index, queued] of group.entries()) queued.resolve(results[index]!)
      } catch {
        for (const queued of group) await writeAlone(queued)
      }
    }
    writing = false
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      if (!writing) void drain()
    })
}
