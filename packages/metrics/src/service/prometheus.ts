import type { MetricsStore, SeriesRow } from '../store/store.js'
import { entryOf } from './collections.js'
import { BUCKET_BOUNDS, parseBuckets } from './histogram-buckets.js'
import { parseLabels } from './query.js'

const metricName = (name: string) => {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_')
  return /^[a-zA-Z_:]/.test(clean) ? clean : `_${clean}`
}
const labelName = (name: string) => {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_')
  return /^[a-zA-Z_]/.test(clean) && !clean.startsWith('__') ? clean : `_${clean.replace(/^_+/, '')}`
}
const escapeValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
/** HELP text escapes only backslash and newline (text format 0.0.4). */
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
const formatNumber = (value: number) =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value)

function labelText(series: SeriesRow, extra?: [string, string]): string {
  const labels: [string, string][] = Object.entries(parseLabels(series)).map(([k, v]) => [labelName(k), v])
  if (series.project && !labels.some(([k]) => k === 'project')) labels.push(['project', series.project])
  if (extra) labels.push(extra)
  return labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',')}}` : ''
}

/**
 * The series that received a point in the last `activeMs`, in the Prometheus text format 0.0.4: counters as
 * their running total, gauges as their last value, histograms as cumulative `_bucket`s on fixed bounds (see
 * histogram-buckets.ts) with `_sum` and `_count`, all since the series appeared. Buckets count what aggregation
 * has read (it runs every minute), so `_count` equals the `+Inf` bucket and lags the newest points as they do.
 */
export async function renderPrometheus(store: MetricsStore, now: number, activeMs: number): Promise<string> {
  const series = await store.activeSeries(now - activeMs)
  const buckets = await store.bucketCounts(series.filter((s) => s.type === 'histogram').map((s) => s.id))

  const byName = new Map<string, SeriesRow[]>()
  for (const s of series) {
    const name = metricName(s.name)
    const list = entryOf(byName, name, () => [])
    // One TYPE per name: series of another type under the same name are left out.
    if (list.length === 0 || list[0]!.type === s.type) list.push(s)
  }
  const lines: string[] = []
  for (const [name, list] of byName) {
    const type = list[0]!.type
    lines.push(`# HELP ${name} ${escapeHelp(list[0]!.name)} (Monlight ${type})`)
    lines.push(`# TYPE ${name} ${type}`)
    // Two series whose names or labels sanitise alike would print one series twice: the first one stands.
    const printed = new Set<string>()
    for (const s of list) {
      const labels = labelText(s)
      if (printed.has(labels)) continue
      printed.add(labels)
      if (type === 'counter') lines.push(`${name}${labels} ${formatNumber(s.total_sum)}`)
      else if (type === 'gauge') lines.push(`${name}${labels} ${formatNumber(s.last_value ?? 0)}`)
      else {
        const counts = parseBuckets(buckets.get(s.id))
        let cumulative = 0
        for (let i = 0; i < counts.length; i++) {
          cumulative += counts[i]!
          const le = i < BUCKET_BOUNDS.length ? String(BUCKET_BOUNDS[i]) : '+Inf'
          lines.push(`${name}_bucket${labelText(s, ['le', le])} ${formatNumber(cumulative)}`)
        }
        lines.push(`${name}_sum${labels} ${formatNumber(s.total_sum)}`)
        lines.push(`${name}_count${labels} ${formatNumber(cumulative)}`)
      }
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : ''
}
