import type { H3Event } from 'h3'

/** Per-request settings the module app's middleware leaves for the body and query readers. */
export interface RequestState {
  bodyLimit: number
  maxQueryLength: number
  /** Index of the API key that authenticated the request, if any. */
  apiKeyIndex?: number
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024
export const DEFAULT_MAX_QUERY_LENGTH = 2048

const kState = Symbol.for('monlight.request-state')

export function setRequestState(event: H3Event, state: RequestState): void {
  ;(event.context as Record<symbol, unknown>)[kState] = state
}

/** The state set by `createModuleApp`, or defaults when a reader is used on a plain h3 app. */
export function getRequestState(event: H3Event): RequestState {
  return (
    ((event.context as Record<symbol, unknown>)[kState] as RequestState | undefined) ?? {
      bodyLimit: DEFAULT_BODY_LIMIT,
      maxQueryLength: DEFAULT_MAX_QUERY_LENGTH,
    }
  )
}
