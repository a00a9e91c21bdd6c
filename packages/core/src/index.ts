/**
 * @module @monlight/core
 *
 * The shared kernel of Monlight's modules: typed errors, option validation, logging, databases and
 * migrations, the HTTP kit, background jobs and the pub/sub bus. Framework adapters live in
 * `@monlight/core/adapters/*`.
 */
export { type Bus, type BusHandler, type BusOptions, createBus, MAX_BUS_MESSAGE_BYTES } from './bus/bus.js'
export { apiKeysOption, resolveOptions } from './config.js'
export { deleteInBatches } from './database/batches.js'
export {
  createDatabase,
  type Database,
  type DatabaseDriver,
  type DatabaseOptions,
  type PgClientLike,
  type PgPoolLike,
  parseDatabaseUrl,
  type SqlDialect,
  type SqliteHandle,
  type SqliteStatement,
} from './database/create-database.js'
export { detectDialect } from './database/dialect.js'
export { groupCommit } from './database/group-commit.js'
export {
  lockKey,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
  type MigrationContext,
  migrate,
} from './database/migrate.js'
export {
  createDefaultPartition,
  dropPartitionsBefore,
  ensurePartitions,
  listPartitions,
  type TimePartitioning,
} from './database/partitions.js'
export { createPGliteDialect, type PGliteLike } from './database/pglite-dialect.js'
export {
  isConflictError,
  isStorageFullError,
  isUnavailableError,
  type RetryConflictsOptions,
  retryConflicts,
} from './database/transient.js'
export { EVENT_LIMITS, type NormalizedEvent, normalizeErrorEvent } from './error-event.js'
export {
  ERROR_STATUS,
  MonlightConfigError,
  MonlightError,
  type MonlightErrorCode,
  type MonlightErrorOptions,
} from './errors.js'
export { createApiKeyVerifier, readApiKey } from './http/auth.js'
export {
  type BodyLimits,
  payloadTooLarge,
  readBytes,
  readJson,
  readText,
  readValidatedJson,
} from './http/body.js'
export { type CorsOptions, createCors, matchOrigin } from './http/cors.js'
export {
  createModuleApp,
  type ModuleAppOptions,
  type MonlightRouteMeta,
  moduleAppOptionsSchema,
  routeMeta,
} from './http/module-app.js'
export { readQuery } from './http/query.js'
export {
  createRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateLimiterOptions,
} from './http/rate-limit.js'
export { renderError, toMonlightError } from './http/render-error.js'
export { parseInput } from './http/validate.js'
export type {
  Breadcrumb,
  ErrorEvent,
  ErrorIngest,
  ErrorIngestResult,
  ErrorLevel,
  ErrorReport,
  ExceptionInfo,
  LogEntry,
  LogsIngest,
  MetricPoint,
  MetricsIngest,
  MetricType,
  StackFrame,
} from './ingest.js'
export { createScheduler, type Job, type Scheduler, type SchedulerOptions } from './jobs/scheduler.js'
export { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js'
export { type JsonLogLine, parseJsonLogLine } from './json-log-line.js'
export {
  createLogger,
  LOG_LEVELS,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  parseLogLevel,
  silentLogger,
} from './logger.js'
export type { MonlightModule } from './module.js'
export { findUiDir, mountUi, type UiOptions } from './ui/serve-ui.js'
export { type UpstreamRows, upstreamTime } from './upstream.js'
