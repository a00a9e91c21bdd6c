import type { LogEntry } from '@monlight/core'
import type { LokiStream } from './parse.js'

/** Stream labels that name where lines come from, first found wins (Loki's own `service_name` first). */
const CONTAINER_LABELS = [
  'service_name',
  'service',
  'app',
  'application',
  'job',
  'container',
  'container_name',
]
/** Labels or metadata that carry the level (Loki's `detected_level` included). */
const LEVEL_LABELS = ['level', 'detected_level', 'severity', 'lvl']

/**
 * Streams → log entries: the container from the first of {@link CONTAINER_LABELS} (else the key's project, else
 * `loki`), the level from a level label or structured metadata (else the log store detects it from the line), and
 * every stream label and metadata pair as attributes (metadata wins a name both have).
 */
export function mapStreams(streams: readonly LokiStream[], project: string | undefined): LogEntry[] {
  const entries: LogEntry[] = []
  for (const { labels, entries: lines } of streams) {
    const container = CONTAINER_LABELS.map((name) => labels[name]).find(Boolean) ?? project ?? 'loki'
    for (const { ns, line, metadata } of lines) {
      const attributes = { ...labels, ...metadata }
      const level = LEVEL_LABELS.map((name) => attributes[name]).find(Boolean)
      entries.push({
        message: line,
        container,
        // Nanoseconds as a string: the milliseconds are all but its last six digits.
        timestamp: ns.length > 6 ? Number(ns.slice(0, -6)) : 0,
        ...(level && { level }),
        attributes,
      })
    }
  }
  return entries
}
