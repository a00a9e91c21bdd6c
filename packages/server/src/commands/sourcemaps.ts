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
  /** The relay; default http://localhost:5013. */
  url: string | undefined
}

/**
 * `monlight sourcemaps upload <dir> --release R --project P [--url-prefix /static] [--url http://relay]`: every
 * `.map` below `<dir>` to a running relay. The key: ADMIN_API_KEY, else the server's API key.
 */
export async function runSourceMapsUpload(config: ServerConfig, args: SourceMapsUploadArgs, io: CommandIO) {
  if (!args.release)
    throw new MonlightConfigError(
      'sourcemaps upload needs --release, the release your app reports to the SDK',
    )
  if (!args.project)
    throw new MonlightConfigError('sourcemaps upload needs --project, the project of the DSN key')
  const apiKey = io.env.ADMIN_API_KEY?.split(',')[0]?.trim() || existingApiKey(config)
  if (!apiKey)
    throw new MonlightConfigError('sourcemaps upload needs the relay admin key: set ADMIN_API_KEY or API_KEY')
  const url = args.url ?? 'http://localhost:5013'
  const result = await uploadSourceMaps({
    url,
    apiKey,
    project: args.project,
    release: args.release,
    urlPrefix: args.urlPrefix,
    dir: args.dir,
  }).catch((error: Error) => {
    throw new MonlightConfigError(`sourcemaps upload to ${url} failed: ${error.message}`, { cause: error })
  })
  io.out(
    `Uploaded ${result.uploaded.length} source map(s) for ${args.project} ${args.release}:\n${result.uploaded.map((file) => `  ${file}`).join('\n')}\n`,
  )
}
