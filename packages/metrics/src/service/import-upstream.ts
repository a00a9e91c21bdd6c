import { type MetricPoint, MonlightConfigError, type UpstreamRows, upstreamTime } from '@monlight/core'

const PAGE = 1000

/**
 * Copies the original collector's raw points (`metrics_raw` of metrics.db) through `ingest`, oldest first: the
 * next aggregation turns them into minute, hour and day rollups with percentiles, as if they had just arrived late.
 * The original's own rollups (`metrics_aggregated`, no sketches) are not needed for that and are left out.
 * Rows the original stored unvalidated (a garbage timestamp, a bad type) are skipped and counted by reason.
 */
export async function importUpstreamMetrics(
  ingest: (points: readonly MetricPoint[]) => Promise<{ count: number }>,
  isEmpty: () => Promise<boolean>,
  source: UpstreamRows,
): Promise<Record<string, number>> {
  if (!(await isEmpty())) {
    throw new MonlightConfigError(
      'the metrics collector already has metrics: import into a fresh data dir or database',
    )
  }
  const hasProject =
    source.all("select name from pragma_table_info('metrics_raw') where name = 'project'").length > 0
  let after = 0
  let points = 0
  // Why rows were left out, each reason with its count: `skipped (no readable time)` → 3.
  const skipped: Record<string, number> = {}
  const skip = (reason: string) => {
    const key = `skipped (${reason})`
    skipped[key] = (skipped[key] ?? 0) + 1
  }
  for (;;) {
    const rows = source.all(
      `select id, timestamp, name, labels, value, type${hasProject ? ', project' : ''} from metrics_raw where id > ${after} order by id limit ${PAGE}`,
    )
    if (rows.length === 0) return { points, ...skipped }
    after = Number(rows.at(-1)!.id)
    const batch: MetricPoint[] = []
    for (const row of rows) {
      const point = toPoint(row)
      if (typeof point === 'string') skip(point)
      else batch.push(point)
    }
    // One bad row must not drop its page: on a rejected batch, retry point by point.
    try {
      if (batch.length > 0) points += (await ingest(batch)).count
    } catch {
      for (const point of batch) {
        try {
          points += (await ingest([point])).count
        } catch (error) {
          skip(`refused: ${(error as Error).message.slice(0, 100)}`)
        }
      }
    }
  }
}

/** The row as a point, or why it cannot be one. */
function toPoint(row: Record<string, unknown>): MetricPoint | string {
  const timestamp = upstreamTime(row.timestamp, Number.NaN)
  const type = row.type
  if (!Number.isFinite(timestamp)) return 'no readable time'
  if (type !== 'counter' && type !== 'gauge' && type !== 'histogram')
    return 'type not counter, gauge or histogram'
  const point: MetricPoint = { name: String(row.name), type, value: Number(row.value), timestamp }
  const labels = parseLabels(row.labels)
  if (labels) point.labels = labels
  if (typeof row.project === 'string' && row.project) point.project = row.project
  return point
}

function parseLabels(text: unknown): Record<string, string> | undefined {
  if (typeof text !== 'string' || text === '') return undefined
  try {
    const labels = JSON.parse(text)
    return typeof labels === 'object' && labels !== null && !Array.isArray(labels) ? labels : undefined
  } catch {
    return undefined
  }
}
