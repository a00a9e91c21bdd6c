/**
 * Filter state mirrored into the page URL, so a view can be bookmarked, shared and restored by the back button.
 * Empty values are left out of the URL.
 */
export function readUrlState<T extends Record<string, string>>(defaults: T): T {
  const params = new URLSearchParams(location.search)
  const state = { ...defaults }
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const value = params.get(key)
    if (value !== null) state[key] = value as T[typeof key]
  }
  return state
}

export function writeUrlState(state: Record<string, string>): void {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(state)) if (value) params.set(key, value)
  const query = params.toString()
  history.replaceState(null, '', query ? `?${query}` : location.pathname)
}
