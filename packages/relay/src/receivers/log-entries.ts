import { type LogEntry, MAX_JSON_DEPTH, nestsDeeperThan } from '@monlight/core'
import type { Forwarder } from '../service/forward.js'

/** The logs store's own limits (packages/logs entries.ts): an entry beyond them would fail its whole batch. */
const LIMITS = { batch: 1000, container: 200, clockSkewMs: 86_400_000 } as const

/** A Map, not an object: a level named `constructor` must not find Object's. */
const LEVELS = new Map([
  ['trace', 'DEBUG'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['notice', 'INFO'],
  ['warn', 'WARNING'],
  ['warning', 'WARNING'],
  ['err', 'ERROR'],
  ['error', 'ERROR'],
  ['crit', 'CRITICAL'],
  ['critical', 'CRITICAL'],
  ['fatal', 'CRITICAL'],
  ['alert', 'CRITICAL'],
  ['emerg', 'CRITICAL'],
  ['emergency', 'CRITICAL'],
  ['panic', 'CRITICAL'],
])

/**
 * A client's level word (OTLP severity text, a Loki `level` label, syslog names) as one of the store's five, or
 * undefined (the store then detects it from the line).
 */
export function logLevel(word: string): string | undefined {
  return LEVELS.get(word.trim().toLowerCase())
}

/** What {@link forwardEntries} left out, for a partial-success answer. */
export interface EntriesOutcome {
  rejected: number
  /** The first reasons, in a sentence; undefined when nothing was rejected. */
  message?: string
}

/**
 * Forwards log entries of a receiver in batches of the store's size, leaving out (and counting) those the store
 * would refuse — a time before 1970 or more than a day ahead, attributes nested deeper than the store keeps — so
 * one bad record never costs the rest of its request. Names too long for the store are cut, not refused.
 */
export async function forwardEntries(
  forwarder: Forwarder,
  entries: readonly LogEntry[],
  now: number,
): Promise<EntriesOutcome> {
  const kept: LogEntry[] = []
  const reasons = new Set<string>()
  for (const entry of entries) {
    const problem = entryProblem(entry, now)
    if (problem) reasons.add(problem)
    else {
      if (entry.container && entry.container.length > LIMITS.container) {
        entry.container = entry.container.slice(0, LIMITS.container)
      }
      entry.level = entry.level === undefined ? undefined : logLevel(entry.level)
      kept.push(entry)
    }
  }
  for (let i = 0; i < kept.length; i += LIMITS.batch) {
    await forwarder.logs(kept.slice(i, i + LIMITS.batch))
  }
  const rejected = entries.length - kept.length
  return rejected === 0
    ? { rejected }
    : { rejected, message: `${rejected} records refused: ${[...reasons].join('; ')}` }
}

function entryProblem(entry: LogEntry, now: number): string | undefined {
  if (typeof entry.timestamp === 'number') {
    if (!Number.isFinite(entry.timestamp) || entry.timestamp < 0) return 'a time before 1970'
    if (entry.timestamp > now + LIMITS.clockSkewMs) return 'a time more than a day ahead'
  }
  if (entry.attributes && nestsDeeperThan(entry.attributes)) {
    return `attributes nested deeper than ${MAX_JSON_DEPTH} levels`
  }
  return undefined
}
