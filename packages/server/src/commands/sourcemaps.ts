import { MonlightConfigError } from '@monlight/core'
import { uploadSourceMaps } from '@monlight/relay'
import { existingApiKey } from '../api-key.js'
import type { ServerConfig } from '../config.js'
import type { CommandIO } from './io.js'

export interface SourceMapsUploadArgs {
  dir: string
  release: string | undefined
  project: string | undefined
  urlPrefix: string | undefined
  /** The relay; default: the configured relay port on localhost (5013), or `/relay` on the single port. */
  url: string | undefined
}

/**
 * `monlight sourcemaps upload <dir> --release R [--project P] [--url-prefix /static] [--url http://relay]`: every
 * `.map` below `<dir>` to a running relay. The key: ADMIN_API_KEY, else the server's API key. Without
 * `--project`, the one project that has DSN keys.
 */
export async function runSourceMapsUpload(config: ServerConfig, args: SourceMapsUploadArgs, io: CommandIO) {
  if (!args.release)
    throw new MonlightConfigError(
      'sourcemaps upload needs --release, the release your app reports to the SDK',
    )
  const apiKey = io.env.ADMIN_API_KEY?.split(',')[0]?.trim() || existingApiKey(config)
  if (!apiKey)
    throw new MonlightConfigError('sourcemaps upload needs the relay admin key: set ADMIN_API_KEY or API_KEY')
  // The relay of this configuration: its own port, or its prefix on the single port.
  const url =
    args.url ??
    (config.port !== undefined
      ? `http://localhost:${config.port}/relay`
      : `http://localhost:${config.ports.relay ?? 5013}`)
  const project = args.project ?? (await onlyProject(url, apiKey))
  const result = await uploadSourceMaps({
    url,
    apiKey,
    project,
    release: args.release,
    urlPrefix: args.urlPrefix,
    dir: args.dir,
  }).catch((error: Error) => {
    throw new MonlightConfigError(`sourcemaps upload to ${url} failed: ${error.message}`, { cause: error })
  })
  io.out(
    `Uploaded ${result.uploaded.length} source map(s) for ${project} ${args.release}:\n${result.uploaded.map((file) => `  ${file}`).join('\n')}\n`,
  )
}

/** The project of the relay's active DSN keys, when there is exactly one; otherwise what to pass. */
async function onlyProject(url: string, apiKey: string): Promise<string> {
  const keysUrl = `${url.replace(/\/$/, '')}/api/dsn-keys`
  const response = await fetch(keysUrl, { headers: { 'x-api-key': apiKey } }).catch((error: Error) => {
    throw new MonlightConfigError(`sourcemaps upload could not reach the relay at ${url}: ${error.message}`)
  })
  if (!response.ok)
    throw new MonlightConfigError(`sourcemaps upload: ${keysUrl} answered ${response.status}; pass --project`)
  const { keys } = (await response.json()) as { keys: { project: string; active: boolean }[] }
  const projects = [...new Set(keys.filter((key) => key.active).map((key) => key.project))].sort()
  if (projects.length === 1) return projects[0]!
  throw new MonlightConfigError(
    projects.length === 0
      ? 'sourcemaps upload: the relay has no DSN key yet; create one (monlight keys create <project>) or pass --project'
      : `sourcemaps upload: several projects have DSN keys (${projects.join(', ')}); pass --project`,
  )
}
