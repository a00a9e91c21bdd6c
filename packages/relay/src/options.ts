import {
  apiKeysOption,
  type Database,
  type ErrorIngest,
  type Logger,
  type LogsIngest,
  type MetricsIngest,
  resolveOptions,
  silentLogger,
} from '@monlight/core'
import * as z from 'zod'

const positiveInt = z.int().positive()
const MIB = 1024 * 1024

const ingest = <T>(method: string, label: string) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Record<string, unknown>)[method] === 'function',
    `${label} must implement ${method}()`,
  )

/** Forwarding straight into modules of the same process (`@monlight/errors` / `metrics` / `logs` services). */
const inProcessForward = z.strictObject({
  errors: ingest<ErrorIngest>('ingest', 'forward.errors'),
  metrics: ingest<MetricsIngest>('ingest', 'forward.metrics'),
  /** For Sentry `log` items (and check-ins); without it they are dropped and counted. */
  logs: ingest<LogsIngest>('write', 'forward.logs').optional(),
})

/** Forwarding over HTTP to a standalone error tracker and metrics collector (upstream's deployment). */
const httpForward = z.strictObject({
  errorTrackerUrl: z.url(),
  errorTrackerApiKey: z.string().min(1),
  metricsCollectorUrl: z.url(),
  metricsCollectorApiKey: z.string().min(1),
  /** The log viewer, for Sentry `log` items; without it they are dropped and counted. */
  logViewerUrl: z.url().optional(),
  /** Default: the error tracker's key. */
  logViewerApiKey: z.string().min(1).optional(),
  /** Per attempt. Default 5 000 ms. */
  timeoutMs: positiveInt.default(5_000),
  queue: z
    .strictObject({
      /** Events waiting for a backend at most; beyond it the relay answers 502. Default 1 000. */
      maxSize: positiveInt.default(1_000),
      /** Attempts per event before it is dropped (and logged). Default 20. */
      maxAttempts: positiveInt.default(20),
      /** First retry delay, doubled per attempt up to 60 s. Default 1 000 ms. */
      retryDelayMs: positiveInt.default(1_000),
    })
    .default({ maxSize: 1_000, maxAttempts: 20, retryDelayMs: 1_000 }),
})

export const relayOptionsSchema = z.strictObject({
  /** Open database (core's `createDatabase`); the host owns and closes it. */
  database: z.custom<Database>(
    (value) => typeof value === 'object' && value !== null && 'db' in value && 'dialect' in value,
    'database must be a Database from createDatabase() of @monlight/core',
  ),
  /** Admin keys for `/api/dsn-keys` and `/api/source-maps` (upstream's ADMIN_API_KEY), or `false` when the host authenticates. */
  apiKeys: apiKeysOption,
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).default(silentLogger),
  /** Origins allowed for every DSN key: exact origins or one-`*` patterns (upstream's CORS_ORIGINS). */
  corsOrigins: z.array(z.string().min(1).max(256)).max(256).default([]),
  /** Keys created at `migrate()` if missing (upstream's DSN_KEYS); an existing key keeps its project and state. */
  dsnKeys: z
    .array(z.strictObject({ project: z.string().min(1).max(100), publicKey: z.string().min(1).max(64) }))
    .default([]),
  forward: z.union([inProcessForward, httpForward]),
  sourceMaps: z
    .strictObject({
      /** Largest source map accepted. Default 10 MiB. */
      maxBytes: positiveInt.default(10 * MIB),
      /** Source maps older than this many days are deleted (daily). Default 90. */
      retentionDays: z.number().positive().default(90),
      /** Parsed source maps kept in memory (their WASM memory is freed on eviction). Default 20. */
      cacheSize: positiveInt.default(20),
      /** Largest artifact bundle from sentry-cli or a bundler plugin (the zip, and its maps inflated). Default 64 MiB. */
      maxBundleBytes: positiveInt.default(64 * MIB),
    })
    .default({ maxBytes: 10 * MIB, retentionDays: 90, cacheSize: 20, maxBundleBytes: 64 * MIB }),
  /**
   * Where the relay is reachable from apps, for the Sentry DSNs the API and UI show (`http://host:5013`). Default:
   * the address each request came in on.
   */
  publicUrl: z.url().optional(),
  /** Sentry protocol limits (bytes), in the spirit of Sentry Relay's. */
  sentry: z
    .strictObject({
      /** Request body as sent (compressed). Default 20 MiB. */
      maxBodyBytes: positiveInt.default(20 * MIB),
      /** Request body once decompressed. Default 100 MiB. */
      maxDecodedBytes: positiveInt.default(100 * MIB),
      /** One event, transaction or log container. Default 1 MiB. */
      maxItemBytes: positiveInt.default(MIB),
      /** Path of the tunnel endpoint (`tunnel` option of the browser SDKs). Default `/tunnel`. */
      tunnelPath: z
        .string()
        .regex(/^\/[\w\-./]*$/, 'tunnelPath must be a path such as /tunnel')
        .default('/tunnel'),
    })
    .default({
      maxBodyBytes: 20 * MIB,
      maxDecodedBytes: 100 * MIB,
      maxItemBytes: MIB,
      tunnelPath: '/tunnel',
    }),
  /** Limits of the OTLP, Loki and Prometheus receivers (bytes, series). */
  receivers: z
    .strictObject({
      /** Request body as sent (compressed). Default 20 MiB (the OTLP recommendation). */
      maxBodyBytes: positiveInt.default(20 * MIB),
      /** Request body once decompressed (gzip, deflate, br, snappy). Default 100 MiB. */
      maxDecodedBytes: positiveInt.default(100 * MIB),
      /** Cumulative series (OTLP cumulative sums and histograms, Prometheus counters) remembered to compute increments. Default 100 000. */
      maxCumulativeSeries: positiveInt.default(100_000),
      /** Distinct label sets per metric name; points of new series beyond it are refused (partial success). Default 2 000. */
      maxSeriesPerMetric: positiveInt.default(2_000),
    })
    .default({
      maxBodyBytes: 20 * MIB,
      maxDecodedBytes: 100 * MIB,
      maxCumulativeSeries: 100_000,
      maxSeriesPerMetric: 2_000,
    }),
  /** Prometheus `/metrics` endpoints to pull from (prom-client apps, exporters), on the leader instance. */
  scrape: z
    .array(
      z
        .strictObject({
          url: z.url({
            protocol: /^https?$/,
            error: 'scrape url must be an http(s) URL such as http://app:9464/metrics',
          }),
          /** The `job` label. Default: the URL's host. */
          job: z.string().min(1).max(100).optional(),
          /** Default 15. */
          intervalSeconds: z.number().min(1).max(86_400).default(15),
          /** Default 10, and at most the interval. */
          timeoutSeconds: z.number().min(0.1).max(600).default(10),
          labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().max(500)).default({}),
          bearerToken: z.string().min(1).optional(),
          /** Largest answer read, decompressed. Default 16 MiB. */
          maxBytes: positiveInt.default(16 * MIB),
          project: z.string().min(1).max(100).optional(),
        })
        .transform((target) => ({
          ...target,
          timeoutSeconds: Math.min(target.timeoutSeconds, target.intervalSeconds),
        })),
    )
    .max(1000)
    .default([]),
  /** Browser requests per minute per DSN key (a key can set its own). `false`: no limit. Default 300. */
  rateLimit: z.union([z.literal(false), positiveInt]).default(300),
  /** The clock, for tests. */
  now: z
    .custom<() => number>((value) => typeof value === 'function', 'now must be a function')
    .default(() => Date.now),
})

export type RelayOptions = z.input<typeof relayOptionsSchema>
export type ResolvedRelayOptions = z.output<typeof relayOptionsSchema>
export type HttpForwardOptions = z.output<typeof httpForward>

export function resolveRelayOptions(input: RelayOptions): ResolvedRelayOptions {
  return resolveOptions('@monlight/relay', relayOptionsSchema, input)
}
