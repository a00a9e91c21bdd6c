/**
 * Reads `read()` every 50 ms until `done(value)` holds or `timeoutMs` passes, and returns the last value read (the
 * caller's assertion then says what was seen): for results that arrive asynchronously (a browser's report, a
 * background job).
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  let value = await read()
  for (const start = Date.now(); !done(value) && Date.now() - start < timeoutMs; ) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await read()
  }
  return value
}
