import { formatNumber, h } from '@monlight/ui-kit'
import { plural, svg } from './util.js'

/** The list's 24-hour bar sparkline (one bar per hour, oldest first). */
export function sparkline(values: readonly number[]): SVGElement {
  const total = values.reduce((sum, n) => sum + n, 0)
  const max = Math.max(1, ...values)
  const height = 24
  const chart = svg(
    'svg',
    {
      class: 'sparkline',
      viewBox: `0 0 ${values.length * 4} ${height}`,
      width: values.length * 4,
      height,
      role: 'img',
      'aria-label': `${plural(total, 'event')} in the last 24 hours`,
    },
    svg('title', {}, `${plural(total, 'event')} in the last 24 hours`),
  )
  values.forEach((count, i) => {
    const barHeight = count === 0 ? 1 : Math.max(2, Math.round((count / max) * height))
    chart.append(
      svg('rect', {
        x: i * 4,
        y: height - barHeight,
        width: 3,
        height: barHeight,
        class: count === 0 ? 'zero' : 'bar',
      }),
    )
  })
  return chart
}

/** The detail page's "last 30 days" bar chart, with each day's count as a tooltip. */
export function histogram(days: readonly { date: string; count: number }[]): HTMLElement {
  const total = days.reduce((sum, day) => sum + day.count, 0)
  const peak = Math.max(0, ...days.map((day) => day.count))
  const max = Math.max(1, peak)
  const height = 64
  const width = days.length * 10
  const chart = svg('svg', {
    class: 'histogram',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `${plural(total, 'event')} in the last 30 days`,
  })
  chart.append(svg('line', { x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5, class: 'axis' }))
  days.forEach((day, i) => {
    const barHeight = day.count === 0 ? 0 : Math.max(2, (day.count / max) * (height - 4))
    // A full-height transparent hit area, so even an empty day shows its tooltip.
    chart.append(
      svg(
        'g',
        { class: 'day' },
        svg('title', {}, `${day.date}: ${plural(day.count, 'event')}`),
        svg('rect', { x: i * 10, y: 0, width: 10, height, class: 'hit' }),
        svg('rect', { x: i * 10 + 1, y: height - barHeight, width: 8, height: barHeight, class: 'bar' }),
      ),
    )
  })
  return h(
    'figure',
    { class: 'chart-30d' },
    h(
      'figcaption',
      null,
      h('span', null, 'Last 30 days'),
      h('span', { class: 'muted' }, `${plural(total, 'event')} · peak ${formatNumber(peak)}/day`),
    ),
    chart,
    h('div', { class: 'axis-labels muted' }, h('span', null, days[0]?.date ?? ''), h('span', null, 'today')),
  )
}
