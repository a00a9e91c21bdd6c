import type { Database, SqliteStatement } from '@monlight/core'
import { hourOf } from './sqlite-search.js'
import type { CursorState, NewEntry } from './store.js'

const ROWS_PER_STATEMENT = 200

/**
 * The SQLite write path, on the native handle: one transaction per batch, prepared multi-row INSERTs, then the
 * whole batch indexed by one INSERT … SELECT into FTS5. Holding the write lock, the batch's ids are consecutive,
 * so each follows from the statement's last rowid and the batch is one id range. Each hour the batch touches
 * widens that hour's id range in `monlight_logs_hour_ids`, which lets a search with a time filter walk only the
 * ids of its hours (see sqlite-search.ts).
 * better-sqlite3's transaction() nests as a savepoint if the host already holds one (then each write runs alone).
 */
export function createSqliteWriter(database: Database) {
  const handle = database.sqlite!
  const statements = new Map<string, SqliteStatement>()
  const prepared = (key: string, build: () => string) => {
    let statement = statements.get(key)
    if (!statement) {
      statement = handle.prepare(build())
      statements.set(key, statement)
    }
    return statement
  }
  const rows = (count: number, placeholders: string) => Array(count).fill(placeholders).join(',')
  const insertEntries = (count: number) =>
    prepared(`entry:${count}`, () => {
      return `insert into monlight_logs_entry (timestamp, container, stream, level, message, attributes) values ${rows(count, '(?,?,?,?,?,?)')}`
    })
  // One statement per batch: FTS5 flushes its pending terms at every statement, so fewer, larger statements
  // mean fewer index segments to merge (2-3× faster than multi-row VALUES into the FTS table).
  const indexRange = () =>
    prepared('fts', () => {
      return `insert into monlight_logs_entry_fts (rowid, message)
        select id, message from monlight_logs_entry where id between ? and ?`
    })
  const indexAttributes = () =>
    prepared('attr-fts', () => {
      return `insert into monlight_logs_attr_fts (rowid, attributes)
        select id, attributes from monlight_logs_entry where id between ? and ? and attributes is not null`
    })
  const widenHour = () =>
    prepared('hour', () => {
      return `insert into monlight_logs_hour_ids (hour, min_id, max_id) values (?,?,?)
        on conflict (hour) do update set min_id = min(min_id, excluded.min_id), max_id = max(max_id, excluded.max_id)`
    })
  const upsertCursor = () =>
    prepared('cursor', () => {
      return `insert into monlight_logs_cursor (path, container, inode, position, pending, updated_at) values (?,?,?,?,?,?)
        on conflict (path) do update set container = excluded.container, inode = excluded.inode,
        position = excluded.position, pending = excluded.pending, updated_at = excluded.updated_at`
    })

  const write = handle.transaction((entries: NewEntry[], cursors: CursorState[], now: number): number[] => {
    const ids: number[] = new Array(entries.length)
    const entryParams: unknown[] = []
    for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
      const count = Math.min(ROWS_PER_STATEMENT, entries.length - start)
      entryParams.length = 0
      for (let i = start; i < start + count; i++) {
        const e = entries[i]!
        entryParams.push(e.timestamp, e.container, e.stream, e.level, e.message, e.attributes)
      }
      const last = Number(insertEntries(count).run(...entryParams).lastInsertRowid)
      for (let i = 0; i < count; i++) ids[start + i] = last - count + 1 + i
    }
    if (entries.length > 0) {
      indexRange().run(ids[0], ids[entries.length - 1])
      if (entries.some((entry) => entry.attributes !== null)) {
        indexAttributes().run(ids[0], ids[entries.length - 1])
      }
    }
    const hours = new Map<number, [number, number]>() // ids ascend, so the first seen is the lowest
    for (let i = 0; i < entries.length; i++) {
      const hour = hourOf(entries[i]!.timestamp)
      const range = hours.get(hour)
      if (range) range[1] = ids[i]!
      else hours.set(hour, [ids[i]!, ids[i]!])
    }
    for (const [hour, [min, max]] of hours) widenHour().run(hour, min, max)
    for (const c of cursors) upsertCursor().run(c.path, c.container, c.inode, c.position, c.pending, now)
    return ids
  })

  // Group commit: the writes that arrive in one event-loop turn share a transaction, which FTS5 indexes in one
  // statement (one segment instead of one per request: about twice the rows/s under concurrent requests). Every
  // promise settles after the commit; if the shared transaction fails, each write is retried alone, so a failing
  // write fails alone.
  let queue: { entries: NewEntry[]; cursors: CursorState[]; now: number; settle: Settle }[] = []
  const flush = () => {
    const pending = queue
    queue = []
    if (pending.length > 1 && !handle.inTransaction) {
      try {
        const ids = write(
          pending.flatMap((queued) => queued.entries),
          pending.flatMap((queued) => queued.cursors),
          pending[0]!.now,
        )
        let start = 0
        for (const { entries, settle } of pending) {
          settle.resolve(ids.slice(start, start + entries.length))
          start += entries.length
        }
        return
      } catch {
        // retried alone below
      }
    }
    for (const { entries, cursors, now, settle } of pending) {
      try {
        settle.resolve(write(entries, cursors, now))
      } catch (error) {
        settle.reject(error)
      }
    }
  }

  return {
    /** Stores entries (and cursors) atomically, in the next group commit; resolves with their ids in order. */
    insert(entries: NewEntry[], cursors: CursorState[], now: number): Promise<number[]> {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ entries, cursors, now, settle: { resolve, reject } })
      })
    },
  }
}

interface Settle {
  resolve(ids: number[]): void
  reject(error: unknown): void
}
