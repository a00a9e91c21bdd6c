import type { ErrorIngest, ErrorIngestResult, ErrorReport, Logger } from '@monlight/core'
import { createThrottledWarn, defaultLogger } from '../logging.js'
import { httpErrorIngest, httpTarget } from '../transport.js'
import { describeError } from './describe-error.js'
import {
  DEFAULT_EXCLUDED_HEADERS,
  DEFAULT_SCRUB_KEYS,
  type HeaderInput,
  scrubHeaders,
  scrubUrl,
  scrubValues,
} from './scrub.js'

export interface ErrorClientOptions {
  /** The error tracker, e.g. `http://localhost:5010`. Either this (with `apiKey`) or `ingest`. */
  baseUrl?: string
  apiKey?: string
  /** In-process target: the errors module's `service` when Monlight is embedded in the same app. */
  ingest?: ErrorIngest
  /** Default `default`, as the Python client. */
  project?: string
  environment?: string
  /** Per report. Default 5000. */
  timeoutMs?: number
  /** Headers left out of reports, on top of authorization, cookie, set-cookie and x-api-key. */
  excludedHeaders?: string[]
  /** Body, query and extra keys whose values are replaced (substring match). Default password, token, secret. */
  scrubKeys?: string[]
  /** Where delivery failures go (at most one line per minute per kind). Default: warnings on stderr. */
  logger?: Logger
}

/** Where the error happened; every field is optional. */
export interface RequestContext {
  url?: string
  method?: string
  headers?: HeaderInput
  userId?: string | number
  /** Anything else worth keeping (route params, parsed body, job id...). Sensitive keys are scrubbed. */
  extra?: Record<string, unknown>
}

const FAILURE_LOG_INTERVAL_MS = 60_000

/**
 * Reports errors to Monlight's error tracker, over HTTP or in-process. It never throws into the app: a failed
 * delivery is logged (throttled) and `report` resolves to `undefined`.
 *
 * @example
 * const errors = new ErrorClient({ baseUrl: 'http://localhost:5010', apiKey, project: 'shop' })
 * errors.capture(error, { url: req.url, method: req.method, headers: req.headers })
 */
export class ErrorClient {
  readonly project: string
  private readonly target: ErrorIngest
  private readonly environment: string | undefined
  private readonly excluded: ReadonlySet<string>
  private readonly scrubKeys: readonly string[]
  private readonly warn: ReturnType<typeof createThrottledWarn>
  private readonly pending = new Set<Promise<unknown>>()

  constructor(options: ErrorClientOptions) {
    this.project = options.project ?? 'default'
    this.environment = options.environment
    this.target = options.ingest ?? httpErrorIngest(httpTarget('ErrorClient', options))
    this.excluded = new Set([
      ...DEFAULT_EXCLUDED_HEADERS,
      ...(options.excludedHeaders ?? []).map((name) => name.toLowerCase()),
    ])
    this.scrubKeys = (options.scrubKeys ?? DEFAULT_SCRUB_KEYS).map((key) => key.toLowerCase())
    this.warn = createThrottledWarn(options.logger ?? defaultLogger(), FAILURE_LOG_INTERVAL_MS)
  }

  /** The report this client would send for `error`. */
  buildReport(error: unknown, context: RequestContext = {}): ErrorReport {
    const { type, message, traceback } = describeError(error)
    const report: ErrorReport = { project: this.project, exception_type: type, message, traceback }
    if (this.environment) report.environment = this.environment
    if (context.url !== undefined) report.request_url = scrubUrl(context.url, this.scrubKeys)
    if (context.method !== undefined) report.request_method = context.method
    if (context.headers !== undefined) report.request_headers = scrubHeaders(context.headers, this.excluded)
    if (context.userId !== undefined) report.user_id = String(context.userId)
    if (context.extra !== undefined) report.extra = scrubValues(context.extra, this.scrubKeys)
    return report
  }

  /** Sends the report; resolves to the tracker's answer, or `undefined` when delivery failed (logged). */
  async report(error: unknown, context?: RequestContext): Promise<ErrorIngestResult | undefined> {
    try {
      return await this.target.ingest(this.buildReport(error, context))
    } catch (failure) {
      this.warn('error report not delivered', { reason: (failure as Error).message })
      return undefined
    }
  }

  /** Fire and forget; `flush()` waits for captured reports still in flight. */
  capture(error: unknown, context?: RequestContext): void {
    const sending = this.report(error, context).finally(() => this.pending.delete(sending))
    this.pending.add(sending)
  }

  /** Waits for every captured report still being sent. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending])
  }
}
