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
 * Returns the element to insert; the chart draws once it is in the page.
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
        value: (_: uPlot, v: number | null) => (v == null ? '–' : `${formatValue(v)}${unit}`),
      })),
    ],
    axes: [
      axis,
      { ...axis, size: 60, values: (_: uPlot, ticks: number[]) => ticks.map((v) => formatValue(v) + unit) },
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
