import type { H3Event } from 'h3'

/** The relay's base URL as this request reached it: origin plus whatever prefix it is mounted under. */
export function requestBase(event: H3Event, route: string): string {
  const path = event.url.pathname
  const at = path.lastIndexOf(route)
  return `${event.url.origin}${at > 0 ? path.slice(0, at) : ''}`
}
