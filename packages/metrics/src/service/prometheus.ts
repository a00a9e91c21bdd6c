import type { MetricsStore, SeriesRow } from '../store/store.js'
import { entryOf } from './collections.js'
import { parseLabels } from './query.js'
import { addRollup, emptyStats } from './rollup.js'
import { quantile } from './sketch.js'
import { MINUTE_MS } from './time.js'

/** Recent window the quantiles of a summary are computed over. */
const SUMMARY_WINDOW_MS = 5 * MINUTE_MS
const QUANTILES = [0.5, 0.95, 0.99]

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
 * their running total, gauges as their last value, histograms as summaries (quantiles over the last five minutes,
 * `_sum` and `_count` since the series appeared).
 */
export async function renderPrometheus(store: MetricsStore, now: number, activeMs: number): Promise<string> {
  const series = await store.activeSeries(now - activeMs)
  const histograms = series.filter((s) => s.type === 'histogram')
  const recent = await store.rollups(
    histograms.map((s) => s.id),
    'minute',
    now - SUMMARY_WINDOW_MS,
    now + 1,
  )
  const sketches = new Map<number, ReturnType<typeof emptyStats>>()
  for (const row of recent) {
    const stats = entryOf(sketches, row.series_id, () => emptyStats(true))
    addRollup(stats, row)
  }

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
    lines.push(`# TYPE ${name} ${type === 'histogram' ? 'summary' : type}`)
    // Two series whose names or labels sanitise alike would print one series twice: the first one stands.
    const printed = new Set<string>()
    for (const s of list) {
      const labels = labelText(s)
      if (printed.has(labels)) continue
      printed.add(labels)
      if (type === 'counter') lines.push(`${name}${labels} ${formatNumber(s.total_sum)}`)
      else if (type === 'gauge') lines.push(`${name}${labels} ${formatNumber(s.last_value ?? 0)}`)
      else {
        const stats = sketches.get(s.id)
        // Before a series' first minute is aggregated there is no quantile to show: none rather than NaN.
        for (const q of stats?.sketch ? QUANTILES : []) {
          const value = quantile(stats!.sketch!, q)
          if (value === undefined) continue
          const clamped = Math.min(stats!.max, Math.max(stats!.min, value))
          lines.push(`${name}${labelText(s, ['quantile', String(q)])} ${formatNumber(clamped)}`)
        }
        lines.push(`${name}_sum${labels} ${formatNumber(s.total_sum)}`)
        lines.push(`${name}_count${labels} ${s.total_count}`)
      }
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : ''
}
