import type { ResolvedMetricsOptions } from '../options.js'
import type { MetricsStore, NameScope } from '../store/store.js'
import type { Coverage } from './aggregate.js'
import { WATERMARK_KEY } from './aggregate.js'
import { DAY_MS, HOUR_MS } from './time.js'

type Retention = ResolvedMetricsOptions['retention']

/** Retention per tier for one metric: its override, else the defaults. */
function tiers(retention: Retention, name: string) {
  const override = retention.overrides[name]
  return {
    rawMs: (override?.rawHours ?? retention.rawHours) * HOUR_MS,
    minuteMs: (override?.minuteHours ?? retention.minuteHours) * HOUR_MS,
    hourMs: (override?.hourlyDays ?? retention.hourlyDays) * DAY_MS,
  }
}

export function coverageFor(retention: Retention): Coverage {
  return {
    rawFrom: (name, now) => now - tiers(retention, name).rawMs,
    minuteFrom: (name, now) => now - tiers(retention, name).minuteMs,
    hourFrom: (name, now) => now - tiers(retention, name).hourMs,
  }
}

/**
 * Deletes, in batches, raw points kept longer than RETENTION_RAW hours after arrival (never ones aggregation has
 * not read yet), minute rollups older than RETENTION_MINUTE hours and hour (and day) rollups older than
 * RETENTION_HOURLY days, each metric with an override on its own cutoffs. The series catalog stays.
 */
export async function applyRetention(store: MetricsStore, retention: Retention, now: number) {
  const aggregatedThrough = (await store.getState(WATERMARK_KEY)) ?? Number.MIN_SAFE_INTEGER
  const scopes: [NameScope, ReturnType<typeof tiers>][] = [
    [{ except: Object.keys(retention.overrides) }, tiers(retention, '')],
    ...Object.keys(retention.overrides).map((name): [NameScope, ReturnType<typeof tiers>] => [
      { name },
      tiers(retention, name),
    ]),
  ]
  const deleted = { raw: 0, minute: 0, hour: 0, day: 0 }
  // Whole partitions first (PostgreSQL): those every metric's raw retention is past and aggregation has read.
  const everyonesCutoff = Math.min(...scopes.map(([, t]) => now - t.rawMs), aggregatedThrough + 1)
  deleted.raw += (await store.maintainRawPartitions?.(now, everyonesCutoff)) ?? 0
  for (const [scope, t] of scopes) {
    deleted.raw += await store.deleteRaw(now - t.rawMs, aggregatedThrough, scope)
    deleted.minute += await store.deleteRollups('minute', now - t.minuteMs, scope)
    deleted.hour += await store.deleteRollups('hour', now - t.hourMs, scope)
    deleted.day += await store.deleteRollups('day', now - t.hourMs, scope)
  }
  return deleted
}
