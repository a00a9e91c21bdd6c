import type { Transport } from './transport.js'

/** The event posted to `POST {endpoint}/api/browser/errors` (upstream `BrowserError`). */
export interface BrowserError {
  type: string
  message: string
  stack: string
  url?: string
  user_agent?: string
  session_id?: string
  context?: Record<string, unknown>
  release?: string
  environment?: string
  timestamp?: string
  /** File URL → source-map debug ID, for the files in `stack` that `sentry-cli sourcemaps inject` marked. */
  debug_ids?: Record<string, string>
}

/** One item of the `{"metrics":[...]}` batch posted to `POST {endpoint}/api/browser/metrics`. */
export interface BrowserMetric {
  name: string
  type: 'counter' | 'histogram' | 'gauge'
  value: number
  labels: Record<string, string | number | boolean>
  timestamp: string
}

/** A breadcrumb: something that happened shortly before an error, sent in `context.breadcrumbs`. */
export interface Breadcrumb {
  type: 'navigation' | 'click' | 'console' | 'fetch' | 'xhr'
  message: string
  timestamp: string
}

export interface MonlightConfig {
  /** The relay's public DSN key, or the URL form `https://<key>@host/<relay path>` (derives `endpoint`). */
  dsn: string
  /** Relay base URL, absolute or relative to the page (`/relay`); required unless `dsn` is a URL. */
  endpoint?: string
  release?: string
  environment?: string
  /** Share of page loads that report Web Vitals, decided once per `init` (default 1). */
  sampleRate?: number
  /** Log the status of every send to the relay (0: network error or CORS refusal) to the console (default false). */
  debug?: boolean
  /** `false` returns a client that does nothing and installs nothing (default true). */
  enabled?: boolean
  /** Report `console.error` / `console.warn` calls as errors (default false; `init` only). */
  captureConsole?: boolean
  /** Change an error before it is sent, or return `null` to drop it. */
  beforeSend?: (event: BrowserError) => BrowserError | null
}

/** The config after `init`: the DSN key and the absolute endpoint (without trailing `/`) are worked out. */
export interface ResolvedConfig extends MonlightConfig {
  /** The DSN key, sent as `?key=`. */
  key: string
  endpoint: string
}

export interface MonlightClient {
  captureError(error: unknown, context?: Record<string, unknown>): void
  /** `level: 'warning'` sends type `ConsoleWarning`, anything else `ConsoleError` (upstream). */
  captureMessage(message: string, level?: string): void
  /** Adds `context.user_id` to later errors; `null` removes it. */
  setUser(userId: string | null): void
  /** Persistent context merged into every later error. */
  addContext(key: string, value: unknown): void
  /** Sends what is queued now; resolves `true` once the queue is empty, `false` if something is left to retry. */
  flush(): Promise<boolean>
  /** Removes every listener, restores every patched global and flushes. Idempotent. */
  destroy(): void
}

/**
 * @internal Not a public extension point: the build renames these members (see build-options.ts).
 * What an integration gets: small hooks into the client. Every listener and patch made through `listen` and
 * `patch` is undone by `destroy()`.
 */
export interface Hub {
  readonly config: ResolvedConfig
  readonly session: string
  /** The client's `captureError`; `type` is used for values that are not errors (default `Error`). */
  captureThrown(error: unknown, context?: Record<string, unknown>, type?: string): void
  /** Sends an error event built by hand. */
  captureEvent(type: string, message: string, stack: string, context?: Record<string, unknown>): void
  readonly transport: Transport
  /** Metrics waiting for the next batch (created by the first metric recorded). */
  metricBuffer?: BrowserMetric[]
  /** False once `destroy()` ran. */
  readonly active: boolean
  /** Records a breadcrumb; does nothing unless `breadcrumbsIntegration()` is installed. */
  crumb(type: Breadcrumb['type'], message: string): void
  /** Breadcrumbs kept for the next error; set by `breadcrumbsIntegration()`. */
  crumbs?: Breadcrumb[]
  listen(target: EventTarget, type: string, listener: (event: any) => void, capture?: boolean): void
  patch<T extends object, K extends keyof T>(target: T, key: K, wrap: (original: T[K]) => T[K]): void
  /** Runs `fn` on `destroy()`. */
  cleanup(fn: () => void): void
  /** Runs just before queued data is sent with `sendBeacon` when the page is hidden. */
  onHide(hook: () => void): void
}

/** A feature: installed by `createClient(config, [...])`, undone by `destroy()`. */
export type Integration = (hub: Hub) => void
