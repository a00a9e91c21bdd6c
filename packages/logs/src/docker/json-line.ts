import { parseTime } from '../service/entries.js'

export interface DockerLine {
  /** The `log` text, JSON-decoded, still with its trailing newline if it had one. */
  log: string
  stream: string
  time: number
}

/** One line of a json-file log, decoded; a line that is not Docker JSON is kept as plain stdout text. */
export function parseDockerLine(line: string, now: number): DockerLine {
  if (line.startsWith('{')) {
    try {
      const value = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown }
      if (typeof value.log === 'string') {
        const stream =
          typeof value.stream === 'string' && value.stream !== '' ? value.stream.slice(0, 16) : 'stdout'
        const time = typeof value.time === 'string' ? parseTime(value.time) : undefined
        return { log: value.log, stream, time: time ?? now }
      }
    } catch {
      // not JSON: keep the raw text below
    }
  }
  return { log: `${line}\n`, stream: 'stdout', time: now }
}
