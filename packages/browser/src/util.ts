/** Shared helpers, each small enough to inline; pure so they are tested in Node. */

/** Runs `fn`, swallowing anything it throws: the SDK never throws into the page. */
export const guard =
  <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R | undefined) =>
  (...args) => {
    try {
      return fn(...args)
    } catch {}
  }

export const isoNow = (): string => new Date().toISOString()

/**
 * Origin + path with ids replaced by `{id}` (numbers; UUIDs and other hex tokens of 8+ characters with a digit);
 * query and fragment dropped so no secrets or personal data reach the metrics. Relative URLs are resolved
 * against `base`.
 */
export function sanitizeUrl(url: string, base?: string): string {
  try {
    const { origin, pathname } = new URL(url, base)
    return origin + pathname.replace(/\/(?:\d+|(?=[\da-f-]*\d)[\da-f-]{8,})(?=\/|$)/gi, '/{id}')
  } catch {
    return url
  }
}

/**
 * A stack line that is a frame (V8 `at fn (file:1:2)` / `at file:1:2`, Firefox and Safari `fn@file:1:2`), with
 * its file in group 1: after `at `, `at fn (` or `fn@` (up to the first `(` / `@`: `[^(]`, not `.*`, keeps it
 * linear on a long message line), before `:line:col`. `exec` finds the first frame, past V8's message line.
 */
export const FRAME = /^\s*(?:at (?:[^(\n]*\()?|[^@\n]*@)?(.+?):\d+:\d+\)?$/m

/** The first stack line that is a frame, skipping V8's message line; undefined if none. */
export const firstFrame = (stack: string): string | undefined => FRAME.exec(stack)?.[0]

/** `Retry-After` in ms (delta-seconds, which the relay sends); 60 s when missing or not a number. */
export const retryAfterMs = (header: string | null): number => (header && +header >= 0 ? +header : 60) * 1000

/** Exponential backoff for the n-th consecutive failure: 1 s, 2 s, 4 s … capped at 60 s, ±20 % jitter. */
export const backoffMs = (failures: number): number =>
  Math.min(60_000, 500 * 2 ** failures) * (0.8 + Math.random() * 0.4)

/** Console arguments as one line: objects as JSON when possible, everything else (errors too) as text. */
export const formatArgs = (args: unknown[]): string =>
  args
    .map((arg) => {
      try {
        if (typeof arg === 'object' && !(arg instanceof Error)) return JSON.stringify(arg)
      } catch {}
      return String(arg)
    })
    .join(' ')
