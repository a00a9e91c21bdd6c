import {
  apiKeysOption,
  type Bus,
  type Database,
  type Logger,
  moduleAppOptionsSchema,
  silentLogger,
} from '@monlight/core'
import * as z from 'zod'

const positiveInt = z.int().positive()

export const tailOptionsSchema = z.strictObject({
  /** Live-tail streams open at once on this instance; the next gets 503. Default 100 (upstream: 5). */
  maxSubscribers: positiveInt.default(100),
  /** A stream ends with `event: close` after this long. Default 1800 (30 min). */
  maxDurationSeconds: positiveInt.default(1800),
  /** `event: heartbeat` interval. Default 15. */
  heartbeatSeconds: positiveInt.default(15),
  /** Events buffered for a reader that does not keep up; beyond that it is disconnected. Default 1000. */
  maxQueuedEvents: positiveInt.default(1000),
})

export const dockerOptionsSchema = z.strictObject({
  /** Docker's containers folder (`LOG_SOURCES`). Default `/var/lib/docker/containers`. */
  sources: z.string().min(1).default('/var/lib/docker/containers'),
  /** Names or globs (`api-*`); empty or `*` means every container (`CONTAINERS`). */
  containers: z.array(z.string()).default([]),
  /** Safety-net poll beside filesystem notifications (`POLL_INTERVAL`). Default 2. */
  pollIntervalSeconds: z.number().positive().default(2),
  /** Bytes read from the end of a log file seen for the first time (`TAIL_BUFFER`). Default 65536. */
  tailBuffer: z.int().min(0).default(65_536),
  /** How often the containers folder is rescanned for new containers. Default 30. */
  rescanSeconds: z.number().positive().default(30),
  /** A multiline entry with no new line for this long is stored. Default 1000 ms. */
  multilineGraceMs: z.int().min(0).default(1000),
})

export const logsOptionsSchema = z.strictObject({
  /** From core's createDatabase(); the host owns it and closes it. */
  database: z.custom<Database>(
    (value) => typeof value === 'object' && value !== null && 'db' in value && 'dialect' in value,
    'database must come from createDatabase()',
  ),
  /** Keys accepted in X-API-Key / ?api_key=; `false` when the host authenticates. */
  apiKeys: apiKeysOption,
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).default(silentLogger),
  rateLimit: moduleAppOptionsSchema.shape.rateLimit,
  /** Ring buffer size (`MAX_ENTRIES`). Default 100,000. */
  maxEntries: positiveInt.default(100_000),
  /** Entries older than this many days are deleted as well. Default: no age limit. */
  maxAgeDays: z.number().positive().optional(),
  /** How often retention runs. Default 10 s. */
  retentionIntervalSeconds: z.number().positive().default(10),
  tail: tailOptionsSchema.default(tailOptionsSchema.parse({})),
  /** Docker json-file ingestion; off unless given. */
  docker: dockerOptionsSchema.optional(),
  /** The pub/sub bus for the live tail; default: core's createBus() on `database`. */
  bus: z.custom<Bus>((value) => typeof value === 'object' && value !== null).optional(),
  /** Clock, for tests. */
  now: z.custom<() => number>((value) => typeof value === 'function').default(() => Date.now),
})

export type LogsOptions = z.input<typeof logsOptionsSchema>
export type ResolvedLogsOptions = z.output<typeof logsOptionsSchema>
export type DockerOptions = z.output<typeof dockerOptionsSchema>
