import { createHash } from 'node:crypto'
import type { ErrorEvent, ExceptionInfo, StackFrame } from '@monlight/core'

/**
 * The grouping key of a structured event (32 hex characters, like upstream's fingerprint), from the first rule
 * that applies:
 * 1. the SDK's `fingerprint`, where `{{ default }}` stands for what rules 2–4 give;
 * 2. the raised exception's type and its in-app frames (module or normalised file name, and function, or the
 *    source line for anonymous code; never line numbers, so a deploy that moves code keeps its groups);
 * 3. the exception's type and its message with numbers, ids, hex and UUIDs masked;
 * 4. the message, masked the same way.
 * Source-mapped frames arrive already mapped, so they group by their original location.
 */
export function groupingKey(
  project: string,
  exceptionType: string,
  message: string,
  event: ErrorEvent,
): string {
  const defaults = defaultComponents(exceptionType, message, event)
  const parts = event.fingerprint?.length
    ? event.fingerprint.flatMap((part) =>
        /^\{\{\s*default\s*\}\}$/.test(part) ? defaults : [`custom:${part}`],
      )
    : defaults
  return createHash('md5')
    .update(`sentry-grouping:1\n${project}\n${parts.join('\n')}`)
    .digest('hex')
}

function defaultComponents(exceptionType: string, message: string, event: ErrorEvent): string[] {
  const raised = event.exceptions?.at(-1)
  if (raised?.type) {
    const frames = inAppFrames(raised)
    if (frames.length > 0) return [`type:${raised.type}`, ...frames]
    return [`type:${raised.type}`, `value:${maskVariables(raised.value)}`]
  }
  return [`type:${exceptionType}`, `message:${maskVariables(event.message ?? raised?.value ?? message)}`]
}

/** At most the 20 in-app frames nearest the throw, each as `module-or-file | function`. */
function inAppFrames(exception: ExceptionInfo): string[] {
  const components: string[] = []
  for (let i = exception.frames.length - 1; i >= 0 && components.length < 20; i--) {
    const frame = exception.frames[i]!
    if (frame.in_app !== true) continue
    const where = frame.module ?? normalizeFile(frame.filename ?? frame.abs_path ?? '')
    // Top-level and anonymous code has no name to tell its frames apart: its source line does (not its number).
    const name = normalizeFunction(frame) || `line:${(frame.context_line ?? '').trim().slice(0, 200)}`
    components.push(`frame:${where}|${name}`)
  }
  return components.reverse()
}

/**
 * A file without origin, query, build hash or absolute prefix: `https://cdn/x/app.3f9a1c.js?v=2` → `x/app.js`,
 * `main.8f3a2c1d.chunk.js` → `main.chunk.js`. A hash has a digit: `user-facade.js` is a name.
 */
export function normalizeFile(file: string): string {
  return file
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
    .replace(/[?#].*$/, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/[.-](?=[0-9a-f]*\d)[0-9a-f]{6,}(?=(?:\.[a-z]+)+$)/i, '')
    .replace(/^\/+/, '')
}

/** Anonymous and generated names vary between builds; a lambda is a lambda. */
function normalizeFunction(frame: StackFrame): string {
  const name = frame.function ?? ''
  return name === '<anonymous>' || name === '?' ? '' : name.replace(/\$\d+$/, '')
}

/** Numbers, hex ids and UUIDs in a message stand for values, not for the kind of error. */
export function maskVariables(text: string): string {
  return text
    .slice(0, 1024)
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(\.\d+)?/g, '<n>')
}
