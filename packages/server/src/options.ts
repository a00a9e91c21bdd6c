/**
 * Every setting `monlight` reads, with its flag and environment variables: one table for the argv parser, the
 * config loader and `--help`.
 */
export const OPTIONS = [
  {
    key: 'config',
    flag: '--config',
    arg: '<file>',
    env: ['MONLIGHT_CONFIG'],
    fallback: undefined,
    help: "A .env or .json file of these variables (and the modules' ones); the environment wins over it",
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    arg: '<dir>',
    env: ['MONLIGHT_DATA_DIR'],
    fallback: './data',
    help: 'Folder for the SQLite files and the generated API key',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url',
    arg: '<url>',
    env: ['MONLIGHT_DATABASE_URL', 'DATABASE_URL'],
    fallback: 'one SQLite file per module',
    help: 'A postgres:// URL: every module shares that database',
  },
  {
    key: 'host',
    flag: '--host',
    arg: '<host>',
    env: ['MONLIGHT_HOST'],
    fallback: '0.0.0.0',
    help: 'Address to listen on',
  },
  {
    key: 'port',
    flag: '--port',
    arg: '<n>',
    env: ['MONLIGHT_PORT'],
    fallback: undefined,
    help: 'Serve everything on one port: modules under /errors, /logs, /metrics, /relay',
  },
  {
    key: 'ports',
    flag: '--ports',
    arg: '<a,b,c,d>',
    env: ['MONLIGHT_PORTS'],
    fallback: '5010,5011,5012,5013',
    help: 'One port per module (errors, logs, metrics, relay); 0 picks a free port',
  },
  {
    key: 'apiKey',
    flag: '--api-key',
    arg: '<key,...>',
    env: ['MONLIGHT_API_KEY', 'API_KEY'],
    fallback: 'generated once into <data-dir>/api-key',
    help: 'API key(s) for X-API-Key, comma-separated',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    arg: '<level>',
    env: ['MONLIGHT_LOG_LEVEL', 'LOG_LEVEL'],
    fallback: 'info',
    help: 'debug, info, warn, error or silent',
  },
] as const

export type OptionKey = (typeof OPTIONS)[number]['key']

/** Option values as given on the command line, by key. */
export type ConfigFlags = Partial<Record<OptionKey, string>>
