import { recordMetric } from '../metrics.js'
import type { Integration } from '../types.js'

/** Interactions remembered per page view for INP; later ones are ignored (bounded memory). */
const MAX_INTERACTIONS = 1000

/**
 * Web Vitals with upstream names (histograms `web_vitals_lcp|inp|cls|fcp|ttfb` and `page_load_time`, label
 * `page`). FCP, TTFB and page load are final when measured; LCP, CLS and INP are reported once per page view, when
 * the page is hidden. A page restored from the back-forward cache starts a new page view.
 * Page loads outside `sampleRate` report nothing.
 */
export const webVitalsIntegration = (): Integration => (hub) => {
  if (Math.random() >= (hub.config.sampleRate ?? 1)) return
  const report = (name: string, value: number) => recordMetric(hub, name, 'histogram', value)

  let reported: boolean
  let lcp: number
  let cls: number
  let sessionValue: number
  let sessionStart: number
  let sessionEnd: number
  /** Longest duration per interaction id (at most MAX_INTERACTIONS; later ones are ignored). */
  let interactions: Map<number, number>
  const newView = () => {
    reported = false
    lcp = cls = sessionValue = sessionStart = sessionEnd = 0
    interactions = new Map()
  }
  newView()

  const observe = (type: string, callback: (entry: any) => void, options?: object) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(callback))
      observer.observe({ type, buffered: true, ...options })
      hub.cleanup(() => observer.disconnect())
    } catch {}
  }

  observe(
    'paint',
    (entry) => entry.name === 'first-contentful-paint' && report('web_vitals_fcp', entry.startTime),
  )
  observe('largest-contentful-paint', (entry) => {
    lcp = entry.startTime
  })
  // CLS: the largest session window (shifts < 1 s apart, window ≤ 5 s); shifts right after input do not count.
  observe('layout-shift', (entry) => {
    if (entry.hadRecentInput) return
    if (entry.startTime - sessionEnd > 1000 || entry.startTime - sessionStart > 5000) {
      sessionStart = entry.startTime
      sessionValue = 0
    }
    sessionEnd = entry.startTime
    sessionValue += entry.value
    cls = Math.max(cls, sessionValue)
  })
  // INP: interactions grouped by id; the value is roughly the 98th percentile (one outlier per 50 forgiven).
  observe(
    'event',
    (entry) => {
      const id = entry.interactionId
      if (id && interactions.size < MAX_INTERACTIONS)
        interactions.set(id, Math.max(interactions.get(id) ?? 0, entry.duration))
    },
    { durationThreshold: 16 },
  )

  // The navigation entry: delivered early (buffered, still loading) and again once the load event has ended,
  // when both timings are final. The entry is live: on a busy page the early delivery can already see it final,
  // so the flag keeps the second one from reporting again.
  let loadReported = false
  observe('navigation', (entry: PerformanceNavigationTiming) => {
    if (!entry.loadEventEnd || loadReported) return
    loadReported = true
    if (entry.responseStart > 0) report('web_vitals_ttfb', entry.responseStart)
    report('page_load_time', entry.loadEventEnd - entry.startTime)
  })

  hub.onHide(() => {
    if (reported) return
    reported = true
    if (lcp > 0) report('web_vitals_lcp', lcp)
    const longest = [...interactions.values()].sort((a, b) => b - a)
    if (longest[0]) report('web_vitals_inp', longest[(longest.length / 50) | 0]!)
    report('web_vitals_cls', cls)
  })

  // Back-forward cache restore: a new page view (its CLS and INP are reported at the next hide).
  hub.listen(window, 'pageshow', (event: PageTransitionEvent) => event.persisted && newView())
}
