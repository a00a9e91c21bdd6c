import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A fake `/var/lib/docker/containers/<id>` with config.v2.json; returns the json-file log path. */
export function makeContainer(root: string, id: string, name: string): string {
  mkdirSync(join(root, id), { recursive: true })
  writeFileSync(join(root, id, 'config.v2.json'), JSON.stringify({ ID: id, Name: `/${name}`, State: {} }))
  const log = join(root, id, `${id}-json.log`)
  writeFileSync(log, '', { flag: 'a' })
  return log
}

let clock = Date.parse('2025-01-20T10:00:00Z')

/** One json-file line as Docker writes it. */
export function dockerLine(log: string, stream = 'stdout'): string {
  clock += 1
  const time = new Date(clock).toISOString().replace('Z', '123456Z')
  return `${JSON.stringify({ log, stream, time })}\n`
}

/** Appends messages (each gets its newline inside `log`, as Docker does). */
export function writeLogs(path: string, messages: string[], stream = 'stdout'): void {
  appendFileSync(path, messages.map((m) => dockerLine(`${m}\n`, stream)).join(''))
}
