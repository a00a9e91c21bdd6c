import { clipMessage, MAX_MESSAGE_CHARS } from '../service/entries.js'

/** One entry being assembled from several lines of one container stream. */
export interface PendingEntry {
  time: number
  lines: string[]
  chars: number
  /** Saw `Traceback (most recent call last)`: the `Type: message` line after the frames still belongs. */
  traceback: boolean
  /** The last line was indented (a frame or source line). */
  indented: boolean
  /** Wall-clock time of the last line, for the grace flush. */
  touched: number
}

/** Per stream: a Docker partial message (a `log` without its newline) and the entry being assembled. */
export interface StreamState {
  partial?: { text: string; time: number }
  entry?: PendingEntry
}

export type MultilineState = Record<string, StreamState>

export interface AssembledEntry {
  time: number
  stream: string
  message: string
}

const INDENTED = /^[ \t]/
const TRACEBACK = 'Traceback (most recent call last)'
const CHAINED =
  /^(During handling of the above exception|The above exception was the direct cause|Caused by: )/
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(:( |$)|$)/

/** Whether `line` continues `entry` (contract §3.4, on decoded text, plus the traceback's final line). */
export function isContinuation(line: string, entry: PendingEntry): boolean {
  if (line.trim() === '' || INDENTED.test(line)) return true
  if (line.startsWith(TRACEBACK) || line.startsWith('File "') || CHAINED.test(line)) return true
  return entry.traceback && entry.indented && EXCEPTION_LINE.test(line)
}

/**
 * Joins continuation lines into entries, per stream, across reads: an entry is finished by the next line that
 * starts a new one, or by {@link flushIdle} once no line came for the grace period. The state is plain JSON so the
 * Docker cursor can persist it.
 */
export function createMultiline(state: MultilineState = {}) {
  const slotOf = (stream: string): StreamState => {
    let slot = state[stream]
    if (!slot) {
      slot = {}
      state[stream] = slot
    }
    return slot
  }
  const finish = (stream: string, entry: PendingEntry): AssembledEntry => ({
    time: entry.time,
    stream,
    message: clipMessage(entry.lines.join('\n').replace(/\s+$/, '')),
  })

  return {
    state,
    /** Adds one decoded log line (Docker partials already joined); returns entries it finished. */
    push(stream: string, time: number, line: string, now: number, out: AssembledEntry[]): void {
      const slot = slotOf(stream)
      const entry = slot.entry
      if (entry && entry.chars + line.length < MAX_MESSAGE_CHARS && isContinuation(line, entry)) {
        entry.lines.push(line)
        entry.chars += line.length + 1
        if (line.startsWith(TRACEBACK)) entry.traceback = true
        entry.indented = INDENTED.test(line)
        entry.touched = now
        return
      }
      if (entry) out.push(finish(stream, entry))
      slot.entry =
        line.trim() === ''
          ? undefined
          : {
              time,
              lines: [line],
              chars: line.length,
              traceback: line.includes(TRACEBACK),
              indented: false,
              touched: now,
            }
    },
    /** Docker splits long messages into 16 KiB pieces; joins a piece onto the stream's partial message. */
    piece(stream: string, time: number, text: string): string | undefined {
      const slot = slotOf(stream)
      if (!text.endsWith('\n')) {
        const partial = slot.partial ?? { text: '', time }
        if (partial.text.length < MAX_MESSAGE_CHARS) partial.text += text
        slot.partial = partial
        return undefined
      }
      const whole = (slot.partial?.text ?? '') + text.slice(0, text.endsWith('\r\n') ? -2 : -1)
      slot.partial = undefined
      return whole
    },
    /** Finishes entries idle for `graceMs` (all of them with 0). */
    flushIdle(now: number, graceMs: number, out: AssembledEntry[]): void {
      for (const [stream, slot] of Object.entries(state)) {
        if (slot.entry && now - slot.entry.touched >= graceMs) {
          out.push(finish(stream, slot.entry))
          slot.entry = undefined
        }
        if (graceMs === 0 && slot.partial) {
          out.push({ time: slot.partial.time, stream, message: clipMessage(slot.partial.text) })
          slot.partial = undefined
        }
      }
    },
    isEmpty(): boolean {
      return Object.values(state).every((slot) => !slot.entry && !slot.partial)
    },
  }
}

export type Multiline = ReturnType<typeof createMultiline>
