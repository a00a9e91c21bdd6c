import type { ErrorIngest, ErrorIngestResult, ErrorReport, MetricPoint, MetricsIngest } from '@monlight/core'

/** Where a client sends over HTTP: a standalone Monlight server (or the original services). */
export interface HttpTarget {
  /** e.g. `http://localhost:5010`, or `http://monlight:8080/errors` in the single-port layout. */
  baseUrl: string
  apiKey: string
  timeoutMs: number
}

/** The HTTP answer was not a success; `status` 0 means the request itself failed (refused, timed out). */
export class TransportError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** `POST /api/errors` behind the same interface as the errors module's in-process service. */
export function httpErrorIngest(target: HttpTarget): ErrorIngest {
  return { ingest: (report: ErrorReport) => postJson<ErrorIngestResult>(target, '/api/errors', report) }
}

/** `POST /api/metrics` (a bare array, as the Python client) behind the metrics module's in-process interface. */
export function httpMetricsIngest(target: HttpTarget): MetricsIngest {
  return {
    ingest: (points: readonly MetricPoint[]) => postJson<{ count: number }>(target, '/api/metrics', points),
  }
}

async function postJson<T>(target: HttpTarget, path: string, body: unknown): Promise<T> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}${path}`
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': target.apiKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs),
    })
  } catch (error) {
    throw new TransportError(0, `POST ${url} failed: ${(error as Error).message}`, { cause: error })
  }
  const text = await response.text()
  if (!response.ok)
    throw new TransportError(
      response.status,
      `POST ${url} answered ${response.status}: ${text.slice(0, 200)}`,
    )
  return (text ? JSON.parse(text) : {}) as T
}

/** Checks the HTTP options of a client and says what is missing. */
export function httpTarget(
  client: string,
  options: { baseUrl?: string; apiKey?: string; timeoutMs?: number },
): HttpTarget {
  if (!options.baseUrl)
    throw new TypeError(`@monlight/node: ${client} needs \`baseUrl\` (or an in-process \`ingest\`)`)
  if (!options.apiKey)
    throw new TypeError(`@monlight/node: ${client} needs \`apiKey\` to send to ${options.baseUrl}`)
  return { baseUrl: options.baseUrl, apiKey: options.apiKey, timeoutMs: options.timeoutMs ?? 5000 }
}
