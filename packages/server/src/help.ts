import { OPTIONS } from './options.js'

/** Each command's synopsis, for `--help` and usage errors. */
export const SYNOPSIS: Record<string, string> = {
  start: 'start',
  migrate: 'migrate',
  backup: 'backup <dir>',
  import: 'import --from <dir>',
  keys: 'keys create <project> [--origins <a,b>] | keys list',
  sourcemaps:
    'sourcemaps upload <dir> --release <r> [--project <p>] [--url-prefix </static>] [--url <relay>]',
}

/** `monlight --help`: commands, then every option with its variables and default. */
export function usage(version: string): string {
  const width = Math.max(...OPTIONS.map((option) => `${option.flag} ${option.arg}`.length)) + 2
  const options = OPTIONS.map((option) => {
    const fallback = option.fallback === undefined ? '' : `; default: ${option.fallback}`
    return [
      `  ${`${option.flag} ${option.arg}`.padEnd(width)}${option.help}`,
      `  ${''.padEnd(width)}env: ${option.env.join(' or ')}${fallback}`,
    ].join('\n')
  })
  return `Monlight ${version}: error tracking, logs, metrics and a browser relay in one process.

Usage: monlight [command] [options]

Commands:
  start          Run the server (default)
  migrate        Apply pending database migrations, then exit
  backup <dir>   Copy each module's SQLite database into <dir> (safe while the server runs)
  import --from <dir>
                 Copy the original Monlight's databases (errors.db, ..., browser-relay.db) into this one
  keys create <project> [--origins <a,b>]
                 Create a project key (its Sentry DSN and SDK snippets are printed; allowed origins optional)
  keys list      List the project keys with their DSNs, origins and state
  sourcemaps upload <dir> --release <r> [--project <p>] [--url-prefix </static>] [--url <relay>]
                 Upload every .map below <dir> to a running relay (default http://localhost:5013)

Options (a flag wins over its environment variable):
${options.join('\n')}
  ${'-h, --help'.padEnd(width)}Show this help
  ${'--version'.padEnd(width)}Show the version

Without --port, each module listens on its own port (errors 5010, logs 5011, metrics 5012, relay 5013).
Without an API key, one is generated on first start, saved to <data-dir>/api-key and printed.
SIGTERM or SIGINT shuts down gracefully (in-flight requests get 5 s); a second signal exits at once.
`
}
