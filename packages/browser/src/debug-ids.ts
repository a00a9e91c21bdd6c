import { FRAME, guard } from './util.js'

/**
 * File URL → debug ID for the files in `stack`, from what `sentry-cli sourcemaps inject` and Sentry's bundler
 * plugins put at the top of each file: `_sentryDebugIds[<a stack captured in the file>] = <debug ID>`. The relay
 * finds the uploaded maps by these IDs, without a release. Anything else a page put there is skipped; a hostile
 * `_sentryDebugIds` costs the field, never the event.
 */
export const debugIds = guard((stack: string): Record<string, string> | undefined => {
  let found: Record<string, string> | undefined
  const ids = (window as any)._sentryDebugIds
  // `for…in` over a missing object runs zero times: no exception on the pages that have none.
  for (const key in ids) {
    const file = FRAME.exec(key)?.[1]
    const id = ids[key]
    if (file && typeof id === 'string' && stack.includes(file)) found = { ...found, [file]: id }
  }
  return found
})
