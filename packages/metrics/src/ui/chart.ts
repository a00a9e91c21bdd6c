import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { h } from '@monlight/ui-kit'

export interface Line {
  label: string
  /** A theme colour name: `--blue`, `--orange`, ... */
  color: string
  values: (number | null)[]
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

/**
 * A uPlot line chart over bucket timestamps, sized to its container and coloured from the theme (light or dark).
 * `unit` labels the y axis and the legend (see `formatUnit`). Returns the element to insert; the chart draws once
 * it is in the page.
 */
export function lineChart(title: string, times: string[], lines: Line[], unit = ''): HTMLElement {
  const body = h('div', { class: 'chart-body' })
  const figure = h('figure', { class: 'card chart', 'aria-label': title }, h('figcaption', null, title), body)
  if (times.length === 0) {
    // Charts read rollups, which aggregation writes every minute: just-sent points are not in them yet.
    body.append(
      h(
        'p',
        { class: 'muted empty' },
        'No data in this period. Points just sent appear within a minute, once rolled up.',
      ),
    )
    return figure
  }
  const axis = {
    stroke: cssVar('--muted'),
    grid: { stroke: cssVar('--border'), width: 1 },
    ticks: { show: false },
  }
  const options: uPlot.Options = {
    width: 600,
    height: 220,
    series: [
      {},
      ...lines.map((line) => ({
        label: line.label,
        stroke: cssVar(line.color),
        width: 2,
        spanGaps: false,
        points: { show: times.length < 60 },
        value: (_: uPlot, v: number | null) => (v == null ? '–' : formatUnit(v, unit)),
      })),
    ],
    axes: [
      // At least 90 px between time ticks: wider than the longest label ("12:00pm", "12/31"), so none overlap.
      { ...axis, space: 90 },
      {
        ...axis,
        space: 30,
        values: (_: uPlot, ticks: number[]) => ticks.map((v) => formatUnit(v, unit)),
        size: (_: uPlot, values: string[] | null) => axisWidth(values),
      },
    ],
    // A lone bucket: uPlot (in seconds mode) would stretch the time axis over a thousand days; show an hour.
    scales: {
      x: {
        time: true,
        range: (plot, min, max) => {
          const xs = plot.data[0]
          return xs.length === 1 ? [xs[0]! - 1800, xs[0]! + 1800] : [min, max]
        },
      },
    },
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  }
  const data = [
    times.map((t) => Date.parse(t) / 1000),
    ...lines.map((line) => line.values),
  ] as uPlot.AlignedData
  requestAnimationFrame(() => {
    const plot = new uPlot({ ...options, width: Math.max(280, body.clientWidth) }, data, body)
    // For tests and the console: the drawn chart's axes and scales.
    Object.defineProperty(body, 'plot', { value: plot })
    new ResizeObserver(() => plot.setSize({ width: Math.max(280, body.clientWidth), height: 220 })).observe(
      body,
    )
  })
  return figure
}

/** Short numbers for axes and legends: 1.2k, 0.042, 3.5M. */
export function formatValue(value: number): string {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(2)}M`
  if (abs >= 1e4) return `${+(value / 1e3).toFixed(1)}k`
  if (abs >= 100) return `${Math.round(value)}`
  if (abs >= 1) return `${+value.toFixed(2)}`
  return `${+value.toPrecision(3)}`
}

/**
 * A value with its unit, scaled to read well: seconds below one as milliseconds, bytes with binary prefixes,
 * and any unit per second (`B/s`, `/s`) the same way with `/s` after it.
 */
export function formatUnit(value: number, unit: string): string {
  if (unit.endsWith('/s')) return `${formatUnit(value, unit.slice(0, -2))}/s`
  if (unit === 's' && value !== 0 && Math.abs(value) < 1) return `${formatValue(value * 1000)} ms`
  if (unit === 'B') return formatBytes(value)
  return unit ? `${formatValue(value)} ${unit}` : formatValue(value)
}

function formatBytes(value: number): string {
  const prefixes = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let scaled = value
  let i = 0
  while (Math.abs(scaled) >= 1024 && i < prefixes.length - 1) {
    scaled /= 1024
    i++
  }
  return `${formatValue(scaled)} ${prefixes[i]}`
}

/** The unit a metric's name declares, by the Prometheus and OpenTelemetry naming conventions. */
export function unitOf(name: string): string {
  const base = name.replace(/_(total|sum|count|bucket)$/, '')
  if (/_seconds?$/.test(base)) return 's'
  if (/_(milliseconds|ms)$/.test(base)) return 'ms'
  if (/_bytes$/.test(base)) return 'B'
  if (/_percent$/.test(base)) return '%'
  return ''
}

/** Y-axis width in pixels that fits its longest tick label (12 px sans: ~7 px a character) and its gap. */
function axisWidth(values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((value) => value.length))
  return Math.ceil(longest * 7 + 18)
}
