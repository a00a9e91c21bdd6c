/**
 * @module @monlight/core/client
 *
 * What client code (the Node SDK) needs from the core at run time, the logger, without the server kernel: no
 * kysely, zod or h3 is loaded. Types come from `@monlight/core` as usual (they cost nothing at run time).
 */
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  silentLogger,
} from './logger.js'
