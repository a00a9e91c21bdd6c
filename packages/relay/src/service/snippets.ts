/**
 * The Sentry DSN of a key, for a relay reachable at `baseUrl`: `http://<key>@host:port[/path]/<project id>`. Sentry
 * SDKs post to `<base>/api/<project id>/envelope/`.
 */
export function sentryDsn(key: { public_key: string; project_id: number }, baseUrl: string): string {
  const url = new URL(baseUrl)
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${key.public_key}@${url.host}${path}/${key.project_id}`
}

/** Copy-paste setup for the most used SDKs, for a key's Sentry DSN (shown by the relay UI and `monlight keys create`). */
export const SDK_SNIPPETS: readonly { name: string; code: (dsn: string) => string }[] = [
  {
    name: 'JavaScript (browser)',
    code: (dsn) =>
      `import * as Sentry from '@sentry/browser'\n\nSentry.init({\n  dsn: '${dsn}',\n  release: '1.0.0',\n})`,
  },
  {
    name: 'Node',
    code: (dsn) =>
      `import * as Sentry from '@sentry/node'\n\nSentry.init({\n  dsn: '${dsn}',\n  enableLogs: true,\n  tracesSampleRate: 0.1,\n})`,
  },
  { name: 'Python', code: (dsn) => `import sentry_sdk\n\nsentry_sdk.init(dsn="${dsn}", enable_logs=True)` },
  {
    name: 'Go',
    code: (dsn) => `err := sentry.Init(sentry.ClientOptions{\n\tDsn: "${dsn}",\n})`,
  },
]

/** Every snippet as indented text, for a terminal. */
export function snippetsText(dsn: string): string {
  return SDK_SNIPPETS.map(({ name, code }) => `${name}:\n${code(dsn).replace(/^/gm, '  ')}\n`).join('\n')
}
