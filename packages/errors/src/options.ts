import { apiKeysOption, type Database, type Logger, resolveOptions, silentLogger } from '@monlight/core'
import * as z from 'zod'

const positiveInt = z.int().positive()
const emails = z.array(z.string().min(1)).default([])
const timeoutMs = positiveInt.default(10_000)

export const alertsOptionsSchema = z.strictObject({
  /** Email through SMTP (nodemailer). */
  smtp: z
    .strictObject({
      host: z.string().min(1),
      port: z.int().min(1).max(65535).default(25),
      secure: z.boolean().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      from: z.string().min(1).default('errors@example.com'),
      to: emails,
      timeoutMs,
      tls: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Email through Postmark's HTTP API. */
  postmark: z
    .strictObject({
      token: z.string().min(1),
      from: z.string().min(1),
      to: emails,
      baseUrl: z.url().default('https://api.postmarkapp.com'),
      timeoutMs,
    })
    .optional(),
  /** A JSON POST per alert; `slack` / `discord` shape the body for their incoming webhooks. */
  webhook: z
    .strictObject({
      url: z.url(),
      format: z.enum(['json', 'slack', 'discord']).default('json'),
      timeoutMs,
    })
    .optional(),
  /** At most this many error alerts per minute; the rest are logged and dropped. Default 10. */
  perMinute: positiveInt.default(10),
  /** Alerts waiting to be sent at most. Default 100. */
  queueSize: positiveInt.default(100),
  /** "N events in T minutes" for one group: alert once per window, e.g. `[{ events: 100, minutes: 5 }]`. */
  spikes: z
    .array(z.strictObject({ events: positiveInt, minutes: z.int().min(1).max(1440) }))
    .max(10)
    .default([]),
})

export const errorsOptionsSchema = z.strictObject({
  /** Open database (core's `createDatabase`); the host owns and closes it. */
  database: z.custom<Database>(
    (value) => typeof value === 'object' && value !== null && 'db' in value && 'dialect' in value,
    'database must be a Database from createDatabase() of @monlight/core',
  ),
  /** Keys accepted in `X-API-Key`, or `false` when the host authenticates requests itself. */
  apiKeys: apiKeysOption,
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).default(silentLogger),
  /** Requests per minute per API key and per client address (`429` beyond); `false` (default): no limit. */
  rateLimit: z.union([z.literal(false), positiveInt]).default(false),
  alerts: alertsOptionsSchema.default({ perMinute: 10, queueSize: 100, spikes: [] }),
  /** Events kept per group (the newest; the counts cover them all). Default 100; upstream kept 5. */
  keepEvents: z.int().min(5).max(10_000).default(100),
  /** Resolved groups older than this many days are deleted (daily, and at start). Default 90. */
  retentionDays: z.number().min(0).default(90),
  /** Public URL of the error tracker, for links in alerts. Default `http://localhost:5010`. */
  baseUrl: z.string().min(1).default('http://localhost:5010'),
  /** Project of `service.capture()` reports that name none. Default `default`. */
  project: z.string().min(1).max(100).default('default'),
  /** The clock, for tests. */
  now: z
    .custom<() => number>((value) => typeof value === 'function', 'now must be a function')
    .default(() => Date.now),
})

export type ErrorsOptions = z.input<typeof errorsOptionsSchema>
export type ResolvedErrorsOptions = z.output<typeof errorsOptionsSchema>

export function resolveErrorsOptions(input: ErrorsOptions): ResolvedErrorsOptions {
  return resolveOptions('@monlight/errors', errorsOptionsSchema, input)
}
