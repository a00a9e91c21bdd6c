/** "More than `events` reports of one group within `minutes`": alert once, then not again for that window. */
export interface SpikeRule {
  events: number
  minutes: number
}

const MINUTE_MS = 60_000
/** Groups tracked at most; the least recently reported is forgotten first (memory stays bounded). */
const MAX_GROUPS = 10_000

interface GroupCounts {
  /** Reports per minute: minute number → count, only the last `longest window` minutes. */
  minutes: Map<number, number>
  /** Per rule, the minute until which it does not fire again. */
  quietUntil: number[]
}

/**
 * Counts reports per group and minute in memory (per instance: on several instances each counts its own share,
 * so a rule fires a little later, never twice as often).
 */
export function createSpikeDetector(rules: readonly SpikeRule[], now: () => number) {
  const groups = new Map<number, GroupCounts>()
  const longest = Math.max(0, ...rules.map((rule) => rule.minutes))

  return {
    /** Counts one report; returns the rule it makes fire, if any. */
    record(groupId: number): SpikeRule | undefined {
      if (rules.length === 0) return undefined
      const minute = Math.floor(now() / MINUTE_MS)
      let counts = groups.get(groupId)
      if (counts) {
        groups.delete(groupId)
      } else {
        counts = { minutes: new Map(), quietUntil: rules.map(() => 0) }
        if (groups.size >= MAX_GROUPS) groups.delete(groups.keys().next().value!)
      }
      groups.set(groupId, counts)
      counts.minutes.set(minute, (counts.minutes.get(minute) ?? 0) + 1)
      for (const past of counts.minutes.keys()) if (past <= minute - longest) counts.minutes.delete(past)
      for (const [index, rule] of rules.entries()) {
        if (minute < counts.quietUntil[index]!) continue
        let total = 0
        for (const [past, count] of counts.minutes) if (past > minute - rule.minutes) total += count
        if (total >= rule.events) {
          counts.quietUntil[index] = minute + rule.minutes
          return rule
        }
      }
      return undefined
    },
  }
}
