import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Logger, MonlightConfigError, silentLogger } from '@monlight/core'
import { apiKeySchema } from './config.js'

/** The file inside the data dir holding the key when none is configured. */
export const API_KEY_FILE = 'api-key'

export interface ApiKeys {
  /** Keys accepted in `X-API-Key`; never empty. */
  keys: string[]
  /** `configured`: from a flag or variable; `file`: read from the key file; `generated`: just written to it. */
  origin: 'configured' | 'file' | 'generated'
  /** The key file, for `file` and `generated`. */
  file?: string
}

/**
 * The API keys to accept: the configured ones, else the key saved in `<dataDir>/api-key`, else a new random key
 * written there (mode 0600) so the next start reuses it.
 */
export function resolveApiKeys(
  config: { apiKeys: readonly string[]; dataDir: string },
  logger: Logger = silentLogger,
): ApiKeys {
  if (config.apiKeys.length > 0) return { keys: [...config.apiKeys], origin: 'configured' }
  const dir = resolve(config.dataDir)
  const file = join(dir, API_KEY_FILE)
  const saved = readKeyFile(file, logger)
  if (saved !== undefined) return { keys: [saved], origin: 'file', file }

  const key = generateApiKey()
  mkdirSync(dir, { recursive: true })
  try {
    // `wx`: never overwrite a key another process saved a moment ago.
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { keys: [readKeyFile(file, logger)!], origin: 'file', file }
    throw new MonlightConfigError(`Cannot save the API key to ${file}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return { keys: [key], origin: 'generated', file }
}

/** The configured key, else the one saved in the data dir; undefined when there is neither (nothing is created). */
export function existingApiKey(config: { apiKeys: readonly string[]; dataDir: string }): string | undefined {
  return config.apiKeys[0] ?? readKeyFile(join(resolve(config.dataDir), API_KEY_FILE), silentLogger)
}

/** `ml_` and 32 characters of crypto-random base64url (192 bits). */
export function generateApiKey(): string {
  return `ml_${randomBytes(24).toString('base64url')}`
}

function readKeyFile(file: string, logger: Logger): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MonlightConfigError(`Cannot read the API key from ${file}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const key = text.trim()
  if (!apiKeySchema.safeParse(key).success) {
    throw new MonlightConfigError(
      `${file} does not hold a valid API key (one line of printable ASCII): delete it to have a new key generated, ` +
        'or set MONLIGHT_API_KEY',
    )
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    logger.warn('the API key file is readable by other users; run chmod 600 on it', { file })
  }
  return key
}
