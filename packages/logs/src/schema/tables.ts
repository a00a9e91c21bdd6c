import type { Generated } from 'kysely'

/** Kysely table types of the logs module. Timestamps are epoch milliseconds. */
export interface EntryTable {
  id: Generated<number>
  timestamp: number
  container: string
  stream: string
  level: string
  message: string
  /** JSON object or null. */
  attributes: string | null
}

/** Where the Docker tailer is in one log file; saved in the transaction that stores the entries it covers. */
export interface CursorTable {
  /** The log file's path. */
  path: string
  container: string
  /** st_ino as a decimal string (it can exceed 2^53). */
  inode: string
  /** Byte offset just after the last line consumed. */
  position: number
  /** Multiline entries still waiting for continuation lines (JSON), so a restart picks them up. */
  pending: string | null
  updated_at: number
}

export interface LogsTables {
  monlight_logs_entry: EntryTable
  monlight_logs_cursor: CursorTable
}

export const ENTRY_TABLE = 'monlight_logs_entry'
export const FTS_TABLE = 'monlight_logs_entry_fts'
export const CURSOR_TABLE = 'monlight_logs_cursor'
