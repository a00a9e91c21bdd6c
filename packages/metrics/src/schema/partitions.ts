import type { TimePartitioning } from '@monlight/core'

/**
 * PostgreSQL: raw chunks live in one partition per hour of arrival, so retention drops an hour at once. Arrival,
 * not the points' own time: it is the server's clock (always in range), and what aggregation and retention read by.
 */
export const RAW_PARTITIONS: TimePartitioning = {
  table: 'monlight_metrics_raw_chunk',
  column: 'received_at',
  stepMs: 3_600_000,
}
/** Partitions made ahead of the clock, so ingestion never waits for one (the retention job tops them up hourly). */
export const PARTITIONS_AHEAD_MS = 3 * 3_600_000
