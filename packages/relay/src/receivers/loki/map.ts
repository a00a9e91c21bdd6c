import { type LogEntry, parseJsonLogLine } from '@monlight/core'
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
 * every stream label and metadata pair as attributes (metadata wins a name both have). A line that is one JSON
 * object is stored as its `msg`/`message` text with the other fields as attributes; its own `level` field (a word
 * or a pino number) counts when no label names one.
 */
export function mapStreams(streams: readonly LokiStream[], project: string | undefined): LogEntry[] {
  const entries: LogEntry[] = []
  for (const { labels, entries: lines } of streams) {
    const container = CONTAINER_LABELS.map((name) => labels[name]).find(Boolean) ?? project ?? 'loki'
    for (const { ns, line, metadata } of lines) {
      // A JSON line (pino-loki, winston's JSON format) is its text plus fields; the labels win a shared name.
      const json = parseJsonLogLine(line)
      const attributes = { ...json?.fields, ...labels, ...metadata }
      const level = LEVEL_LABELS.map((name) => metadata[name] ?? labels[name]).find(Boolean)
      entries.push({
        message: json?.message ?? line,
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
