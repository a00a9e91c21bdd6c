/**
 * @module @monlight/server
 *
 * The standalone Monlight stack: every module over its own SQLite file (or one shared PostgreSQL database),
 * served on one port per module like upstream (5010–5013) or on a single port. The `monlight` CLI is built on
 * these exports; this is the only Monlight package that reads `process.env`, and only in the CLI.
 */
export { API_KEY_FILE, type ApiKeys, generateApiKey, resolveApiKeys } from './api-key.js'
export {
  type Env,
  type LoadConfigInput,
  type LoadedConfig,
  loadConfig,
  resolveServerConfig,
  type ServerConfig,
  type ServerConfigInput,
  serverConfigSchema,
} from './config.js'
export { MODULES, type ModuleContext, type ModuleSlot } from './modules.js'
export { type ConfigFlags, OPTIONS, type OptionKey } from './options.js'
export {
  DEFAULT_SHUTDOWN_GRACE_MS,
  type MonlightServer,
  type StartServerOptions,
  startServer,
} from './server.js'
