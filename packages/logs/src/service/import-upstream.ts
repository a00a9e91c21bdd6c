import { MonlightConfigError, type UpstreamRows, upstreamTime } from '@monlight/core'

const PAGE = 5000

/**
 * Copies the original log viewer's `log_entries` (logs.db) through `write`, oldest first, in pages. The original's
 * file cursors are not carried over (their layout differs), so a Docker log still on disk is read again from
 * its last `TAIL_BUFFER` bytes.
 */
export async function importUpstreamLogs(
  write: (entries: readonly unknown[]) => Promise<{ count: number }>,
  isEmpty: () => Promise<boolean>,
  source: UpstreamRows,
): Promise<{ entries: number }> {
  if (!(await isEmpty())) {
    throw new MonlightConfigError(
      'the log viewer already has entries: import into a fresh data dir or database',
    )
  }
  let after = 0
  let entries = 0
  for (;;) {
    const rows = source.all(
      `select id, timestamp, container, stream, level, message from log_entries where id > ${after} order by id limit ${PAGE}`,
    )
    if (rows.length === 0) return { entries }
    after = Number(rows.at(-1)!.id)
    const batch = rows.map((row) => ({
      timestamp: upstreamTime(row.timestamp, Date.now()),
      container: String(row.container || 'default').slice(0, 200),
      stream: row.stream === 'stderr' ? 'stderr' : 'stdout',
      level: String(row.level ?? 'INFO'),
      message: String(row.message ?? ''),
    }))
    entries += (await write(batch)).count
  }
}
