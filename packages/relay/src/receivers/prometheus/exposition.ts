import type { FamilyTypes, PromSeries } from './parse.js'

/**
 * The Prometheus text exposition format 0.0.4 (what prom-client, the Go and Python clients and exporters serve),
 * tolerating OpenMetrics' `# EOF`, `_created` and `# UNIT` lines. A line that cannot be read is counted and
 * skipped, the rest kept, as Prometheus reports a scrape error but keeps nothing half-read of a sample.
 */
export function parseExposition(
  text: string,
  defaultTimestamp: number,
): { series: PromSeries[]; types: FamilyTypes; invalid: number } {
  const series: PromSeries[] = []
  const types: FamilyTypes = new Map()
  let invalid = 0
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line === '# EOF') continue
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\w+)/.exec(line)
      if (type) {
        const kind = type[2]!.toLowerCase()
        if (kind === 'counter' || kind === 'gauge' || kind === 'histogram' || kind === 'summary') {
          types.set(type[1]!, kind)
        }
      }
      continue
    }
    const sample = parseSampleLine(line)
    if (!sample || sample.name.endsWith('_created')) {
      if (!sample) invalid++
      continue
    }
    series.push({
      labels: { __name__: sample.name, ...sample.labels },
      samples: [{ value: sample.value, timestamp: sample.timestamp ?? defaultTimestamp }],
    })
  }
  return { series, types, invalid }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/

/** `name{label="value",…} value [timestamp]`; undefined when the line is not one. */
export function parseSampleLine(
  line: string,
): { name: string; labels: Record<string, string>; value: number; timestamp?: number } | undefined {
  const name = NAME.exec(line)?.[0]
  if (!name) return undefined
  let i = name.length
  const labels: Record<string, string> = {}
  if (line[i] === '{') {
    i++
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++
      if (line[i] === '}') {
        i++
        break
      }
      const label = LABEL_NAME.exec(line.slice(i))?.[0]
      if (!label) return undefined
      i += label.length
      while (line[i] === ' ') i++
      if (line[i] !== '=' || line[i + 1] !== '"') return undefined
      i += 2
      let value = ''
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\') {
          const next = line[++i]
          value += next === 'n' ? '\n' : (next ?? '')
        } else value += line[i]
      }
      if (line[i] !== '"') return undefined
      i++
      labels[label] = value
    }
  }
  const [value, timestamp, extra] = line.slice(i).trim().split(/\s+/)
  if (value === undefined || extra !== undefined) return undefined
  const number = parseValue(value)
  if (number === undefined) return undefined
  if (timestamp === undefined) return { name, labels, value: number }
  const ms = Number(timestamp)
  return Number.isSafeInteger(ms) ? { name, labels, value: number, timestamp: ms } : undefined
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (text === 'NaN') return Number.NaN
  const number = Number(text)
  return text !== '' && !Number.isNaN(number) ? number : undefined
}
