import {
  closeSync,
  existsSync,
  type FSWatcher,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
  statSync,
  watch,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { type Logger, parseJsonLogLine } from '@monlight/core'
import type { DockerOptions } from '../options.js'
import { clipMessage, withoutNul } from '../service/entries.js'
import { detectLevel, fieldsLevel } from '../service/levels.js'
import type { CursorState, NewEntry } from '../store/store.js'
import { containerMatcher, discoverContainers } from './discovery.js'
import { parseDockerLine } from './json-line.js'
import { type AssembledEntry, createMultiline, type Multiline, type MultilineState } from './multiline.js'

export interface DockerIngestorOptions extends DockerOptions {
  /** Stores entries and the cursors they advance in one transaction. */
  service: { ingest(entries: NewEntry[], cursors: CursorState[]): Promise<unknown> }
  store: { cursors(): Promise<CursorState[]> }
  logger: Logger
  now?: () => number
}

/** Bytes read per step; each step is one transaction (entries + cursor). */
const CHUNK_BYTES = 4 * 1024 * 1024
/** A "line" longer than this without a newline is taken as it is rather than buffered further. */
const MAX_LINE_BYTES = 16 * 1024 * 1024
const NEWLINE = 0x0a

interface TrackedFile {
  container: string
  path: string
  /** Open descriptor: after a rename-rotation it still reads the old file to its end. */
  fd?: number
  inode?: string
  position: number
  multiline: Multiline
  /** Read before (cursor or this run): TAIL_BUFFER applies only to a file never seen. */
  seen: boolean
  /**
   * The file's first bytes (up to HEAD_BYTES, within what was read), kept in memory while running: if they change,
   * the file was truncated and rewritten, even when its new content happens to have a newline at the cursor.
   */
  head?: Buffer
}

/** Bytes of a file's start kept to recognise it (a Docker line starts with its own timestamp within these). */
const HEAD_BYTES = 128

/**
 * Tails Docker json-file logs into the store. Per file, a cursor (inode, offset after the last whole line,
 * pending multiline state) is saved in the transaction that stores the entries it covers, so a restart — even
 * after kill -9 — continues exactly where the last commit ended. Handles rotation (rename + new file: the old
 * file is drained first, through the open descriptor or by finding it by inode), copytruncate, partial last
 * lines (left for the next read), Docker's 16 KiB message pieces and lines of any length.
 */
export function createDockerIngestor(options: DockerIngestorOptions) {
  const logger = options.logger.child('docker')
  const now = options.now ?? Date.now
  const matches = containerMatcher(options.containers)
  const files = new Map<string, TrackedFile>()
  let saved = new Map<string, CursorState>()
  let warnedSources = false

  const cursorOf = (file: TrackedFile): CursorState => ({
    path: file.path,
    container: file.container,
    inode: file.inode ?? '0',
    position: file.position,
    pending: file.multiline.isEmpty() ? null : JSON.stringify(file.multiline.state),
  })

  // A JSON line (pino, zap, slog…) is stored as its text and its fields.
  const toEntries = (file: TrackedFile, assembled: AssembledEntry[]): NewEntry[] =>
    assembled.map((a) => {
      const json = parseJsonLogLine(a.message)
      return {
        timestamp: a.time,
        container: file.container,
        stream: a.stream,
        level: json
          ? (fieldsLevel(json.fields) ?? detectLevel(json.message, a.stream))
          : detectLevel(a.message, a.stream),
        message: withoutNul(json ? clipMessage(json.message) : a.message),
        attributes: json ? JSON.stringify(json.fields) : null,
      }
    })

  const commit = (file: TrackedFile, assembled: AssembledEntry[]) =>
    options.service.ingest(toEntries(file, assembled), [cursorOf(file)])

  /** Reads `fd` from the file's position to `end`, committing per chunk; only whole lines are consumed. */
  const readTo = async (file: TrackedFile, fd: number, end: number) => {
    let carry: Buffer | undefined
    while (file.position < end) {
      const want = Math.min(CHUNK_BYTES, end - file.position)
      const chunk = Buffer.allocUnsafe(want)
      const carried = carry?.length ?? 0
      const got = readSync(fd, chunk, 0, want, file.position + carried)
      if (got <= 0) break
      const data = carry ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got)
      let lastNewline = data.lastIndexOf(NEWLINE)
      if (lastNewline === -1) {
        if (data.length < MAX_LINE_BYTES && file.position + data.length < end) {
          carry = data // a long line: keep reading until its newline
          continue
        }
        if (data.length < MAX_LINE_BYTES) break // a partial last line: Docker is still writing it
        lastNewline = data.length - 1
      }
      carry = undefined
      const assembled: AssembledEntry[] = []
      const at = now()
      let start = 0
      while (start <= lastNewline) {
        let stop = data.indexOf(NEWLINE, start)
        if (stop === -1 || stop > lastNewline) stop = lastNewline + 1
        if (stop > start) {
          const line = parseDockerLine(data.toString('utf8', start, stop), at)
          const text = file.multiline.piece(line.stream, line.time, line.log)
          if (text !== undefined) file.multiline.push(line.stream, line.time, text, at, assembled)
        }
        start = stop + 1
      }
      file.position += lastNewline + 1
      await commit(file, assembled)
    }
  }

  const openFile = (path: string): { fd: number; stats: Stats } | undefined => {
    try {
      const fd = openSync(path, 'r')
      return { fd, stats: fstatSync(fd) }
    } catch {
      return undefined
    }
  }
  const closeFd = (file: TrackedFile) => {
    if (file.fd !== undefined) closeSync(file.fd)
    file.fd = undefined
  }

  /** After a restart, the file a cursor points at may have been renamed (`-json.log.1`): find it by inode. */
  const findByInode = (path: string, inode: string): string | undefined => {
    try {
      for (const name of readdirSync(dirname(path))) {
        if (!name.startsWith(basename(path))) continue
        const candidate = join(dirname(path), name)
        if (inodeOf(candidate) === inode) return candidate
      }
    } catch {
      // folder gone
    }
    return undefined
  }

  /**
   * Reads one rotated file from `from` to its end, the cursor pointing at it meanwhile (by inode), so a restart in
   * the middle resumes there.
   */
  const readRotated = async (file: TrackedFile, path: string, from: number) => {
    const opened = openFile(path)
    if (!opened) return
    file.inode = String(fstatSync(opened.fd, { bigint: true }).ino)
    file.position = from
    try {
      await readTo(file, opened.fd, opened.stats.size)
    } finally {
      closeSync(opened.fd)
    }
  }

  const pollFile = async (file: TrackedFile) => {
    const inode = inodeOf(file.path)
    if (file.inode !== undefined && file.inode !== inode) {
      // Rotated (or removed): finish the old file first, then every file rotated after it (oldest first: two
      // rotations while Monlight was down leave one in between), then start the new one at its beginning.
      const oldInode = file.inode
      let fd = file.fd
      if (fd === undefined) {
        const old = findByInode(file.path, oldInode)
        fd = old ? openFile(old)?.fd : undefined
        if (fd === undefined)
          logger.warn('rotated log file not found; lines written before rotation may be missed', {
            path: file.path,
          })
      }
      if (fd !== undefined) {
        await readTo(file, fd, fstatSync(fd).size)
        closeSync(fd)
        file.fd = undefined
        for (const newer of rotatedAfter(file.path, oldInode)) await readRotated(file, newer, 0)
      }
      file.fd = undefined
      file.inode = undefined
      file.position = 0
      file.head = undefined
    }
    if (inode === undefined) {
      if (existsSync(dirname(file.path))) return // between a rotation's rename and the new file
      // The container is gone: store what it still had pending and stop tracking it.
      const assembled: AssembledEntry[] = []
      file.multiline.flushIdle(now(), 0, assembled)
      if (assembled.length > 0) await commit(file, assembled)
      files.delete(file.path)
      saved.delete(file.path)
      return
    }
    if (file.fd === undefined) {
      const opened = openFile(file.path)
      if (!opened) return
      file.fd = opened.fd
      const openedInode = String(fstatSync(opened.fd, { bigint: true }).ino)
      if (file.inode === undefined) {
        file.inode = openedInode
        if (!file.seen) file.position = tailStart(opened.fd, opened.stats.size, options.tailBuffer)
      } else if (file.inode !== openedInode) {
        // Rotated between the stat and the open: the next pass drains the old file by inode.
        closeFd(file)
        return
      }
      file.seen = true
    }
    const size = fstatSync(file.fd).size
    const head = file.head && headOf(file.fd, file.head.length)
    if (
      size < file.position ||
      !followsNewline(file.fd, file.position) ||
      (head && !head.equals(file.head!))
    ) {
      // copytruncate: lines written after our last read and before the copy are only in the copy.
      const copy = file.head && copyOf(file.path, file.head, file.position)
      if (copy) {
        const current = file.inode
        await readRotated(file, copy, file.position)
        file.inode = current
      }
      logger.info('log file truncated; reading it from the start', { path: file.path })
      file.position = 0
    }
    await readTo(file, file.fd, size)
    file.head = headOf(file.fd, Math.min(HEAD_BYTES, file.position))
  }

  const flushIdle = async (graceMs: number) => {
    const at = now()
    for (const file of files.values()) {
      const assembled: AssembledEntry[] = []
      file.multiline.flushIdle(at, graceMs, assembled)
      if (assembled.length > 0) await commit(file, assembled)
    }
  }

  // A new container's folder appears before Docker writes its config: rescan at every poll until it is there.
  let incomplete = false
  const rescan = () => {
    let found: ReturnType<typeof discoverContainers>
    const unnamed: string[] = []
    try {
      found = discoverContainers(options.sources, matches, unnamed)
      incomplete = unnamed.length > 0
      warnedSources = false
    } catch (error) {
      if (!warnedSources)
        // An expected condition (no Docker here yet, or no permission): the reason, not a stack trace.
        logger.warn('cannot read LOG_SOURCES; will retry', {
          sources: options.sources,
          reason: (error as Error).message,
        })
      warnedSources = true
      return
    }
    for (const { name, logPath } of found) {
      if (files.has(logPath)) continue
      const cursor = saved.get(logPath)
      files.set(logPath, {
        container: name,
        path: logPath,
        inode: cursor?.inode,
        position: cursor?.position ?? 0,
        multiline: createMultiline(cursor?.pending ? (JSON.parse(cursor.pending) as MultilineState) : {}),
        seen: cursor !== undefined,
      })
      watchFile(logPath)
      logger.info('tailing container', { container: name, path: logPath })
    }
  }

  // One pass at a time; requests during a pass run one more pass after it.
  let running: Promise<void> | undefined
  let again = false
  const poll = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        if (incomplete) rescan()
        for (const file of [...files.values()]) {
          try {
            await pollFile(file)
          } catch (error) {
            logger.error('reading log file failed', { path: file.path, error })
          }
        }
        await flushIdle(options.multilineGraceMs)
      } while (again)
    })().finally(() => {
      running = undefined
    })
    return running
  }

  const watchers: FSWatcher[] = []
  let stopped = true
  let kick: NodeJS.Timeout | undefined
  const soon = () => {
    if (stopped || kick) return
    kick = setTimeout(() => {
      kick = undefined
      void poll()
    }, 20)
  }
  const watchFile = (path: string) => {
    if (stopped) return
    try {
      const watcher = watch(dirname(path), { persistent: false }, soon)
      watcher.on('error', () => watcher.close())
      watchers.push(watcher)
    } catch {
      // no notifications here (e.g. some network filesystems): the poll still runs
    }
  }

  return {
    /** Loads cursors, discovers containers and reads once (for tests and one-shot imports). */
    async runOnce(): Promise<void> {
      saved = new Map((await options.store.cursors()).map((c) => [c.path, c]))
      rescan()
      await poll()
    },
    poll,
    rescan,
    /** Stores every pending multiline entry now. */
    flush: () => flushIdle(0),
    start(): () => Promise<void> {
      stopped = false
      const timers: NodeJS.Timeout[] = []
      const ready = options.store.cursors().then((cursors) => {
        saved = new Map(cursors.map((c) => [c.path, c]))
        rescan()
        try {
          const watcher = watch(options.sources, { persistent: false }, () => {
            rescan()
            soon()
          })
          watcher.on('error', () => watcher.close())
          watchers.push(watcher)
        } catch {
          // missing folder: the rescan timer picks it up later
        }
        timers.push(setInterval(() => void poll(), options.pollIntervalSeconds * 1000))
        timers.push(setInterval(rescan, options.rescanSeconds * 1000))
        for (const timer of timers) timer.unref()
        return poll()
      })
      ready.catch((error) => logger.error('docker ingestion failed to start', { error }))
      return async () => {
        stopped = true
        clearTimeout(kick)
        for (const timer of timers) clearInterval(timer)
        for (const watcher of watchers.splice(0)) watcher.close()
        await ready.catch(() => {})
        await running
        await flushIdle(0).catch((error) => logger.error('flushing pending entries failed', { error }))
        for (const file of files.values()) closeFd(file)
      }
    },
  }
}

/** `<log>.1`, `<log>.2`… as Docker's json-file driver and logrotate name them: rotation number → path. */
function rotations(path: string): Map<number, string> {
  const found = new Map<number, string>()
  try {
    for (const name of readdirSync(dirname(path))) {
      const suffix = name.startsWith(`${basename(path)}.`) ? name.slice(basename(path).length + 1) : ''
      if (/^[1-9]\d{0,3}$/.test(suffix)) found.set(Number(suffix), join(dirname(path), name))
    }
  } catch {
    // folder gone
  }
  return found
}

/** The rotated files newer than the one with `inode`, oldest first (a higher number is older); none if not found. */
function rotatedAfter(path: string, inode: string): string[] {
  const found = rotations(path)
  const at = [...found].find(([, candidate]) => inodeOf(candidate) === inode)?.[0]
  if (at === undefined) return []
  const newer: string[] = []
  for (let number = at - 1; number >= 1; number--) {
    const candidate = found.get(number)
    if (candidate) newer.push(candidate)
  }
  return newer
}

/** The rotated copy a copytruncate left (`<log>.1`…): the one that starts with `head` and reaches `position`. */
function copyOf(path: string, head: Buffer, position: number): string | undefined {
  for (const candidate of [...rotations(path)].sort((a, b) => a[0] - b[0]).map(([, file]) => file)) {
    let fd: number | undefined
    try {
      fd = openSync(candidate, 'r')
      if (fstatSync(fd).size >= position && headOf(fd, head.length).equals(head)) return candidate
    } catch {
      // gone meanwhile
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }
  return undefined
}

/** The first `length` bytes of a file (fewer if it is shorter). */
function headOf(fd: number, length: number): Buffer {
  const head = Buffer.alloc(length)
  return head.subarray(0, length > 0 ? readSync(fd, head, 0, length, 0) : 0)
}

function inodeOf(path: string): string | undefined {
  try {
    return String(statSync(path, { bigint: true }).ino)
  } catch {
    return undefined
  }
}

/**
 * The cursor always sits just after a newline; if that byte is something else, the file was truncated and has
 * grown past the cursor again since the last read (copytruncate between two polls).
 */
function followsNewline(fd: number, position: number): boolean {
  if (position === 0) return true
  const byte = Buffer.alloc(1)
  return readSync(fd, byte, 0, 1, position - 1) === 1 && byte[0] === NEWLINE
}

/** Where to start in a file seen for the first time: its last `tailBuffer` bytes, from a line start. */
function tailStart(fd: number, size: number, tailBuffer: number): number {
  if (size <= tailBuffer) return 0
  const start = size - tailBuffer
  const probe = Buffer.allocUnsafe(Math.min(65_536, size - start + 1))
  // Include the byte before `start`: if it is a newline, `start` is already a line start.
  const got = readSync(fd, probe, 0, probe.length, start - 1)
  const newline = probe.subarray(0, got).indexOf(NEWLINE)
  return newline === -1 ? size : start + newline
}
