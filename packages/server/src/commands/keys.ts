import { MonlightConfigError } from '@monlight/core'
import { type RelayService, sentryDsn, snippetsText } from '@monlight/relay'
import { generateApiKey } from '../api-key.js'
import type { ServerConfig } from '../config.js'
import { MODULES } from '../modules.js'
import { openStack } from '../stack.js'
import { type CommandIO, quietLogger } from './io.js'

/** The relay of this configuration, opened for a command (migrated), and closed after `work`. */
async function withRelay<T>(
  config: ServerConfig,
  io: CommandIO,
  work: (service: RelayService) => Promise<T>,
) {
  const relaySlot = MODULES.filter((slot) => slot.name === 'relay')
  // The relay's router wants an admin key; these commands need none, so a throwaway one avoids a key file.
  const stack = await openStack(config, relaySlot, [generateApiKey()], quietLogger(io), io.env)
  try {
    await stack.migrate()
    const service = stack.modules[0]?.module.service as RelayService | undefined
    if (!service) throw new MonlightConfigError('the relay module is not available')
    return await work(service)
  } finally {
    await stack.close()
  }
}

/** The relay's public URL for DSNs: RELAY_PUBLIC_URL, else localhost on the configured port. */
function relayUrlOf(config: ServerConfig, io: CommandIO): string {
  return io.env.RELAY_PUBLIC_URL || `http://localhost:${config.port ?? config.ports.relay ?? 5013}`
}

/** `monlight keys list`: every project key with its DSN, origins, rate limit and state. */
export async function runKeysList(config: ServerConfig, io: CommandIO) {
  await withRelay(config, io, async (service) => {
    const keys = await service.listKeys()
    if (keys.length === 0) {
      io.out('No project keys yet: create one with `monlight keys create <project>`.\n')
      return
    }
    const relayUrl = relayUrlOf(config, io)
    const lines = keys.map((key) =>
      [
        `${key.project} (project id ${key.project_id})${key.active ? '' : ' [disabled]'}`,
        `  DSN: ${sentryDsn(key, relayUrl)}`,
        `  origins: ${key.allowed_origins.length > 0 ? key.allowed_origins.join(', ') : 'CORS_ORIGINS (any origin when it is unset)'}` +
          `; rate limit: ${key.rate_limit === null ? 'default' : `${key.rate_limit}/min`}; created ${key.created_at}`,
      ].join('\n'),
    )
    io.out(`${lines.join('\n\n')}\n`)
  })
}

/**
 * `monlight keys create <project> [--origins a,b]`: a DSN key for the browser SDK, written straight into the
 * relay's database (safe while the server runs; the relay sees it within seconds).
 */
export async function runKeysCreate(
  config: ServerConfig,
  project: string,
  origins: string | undefined,
  io: CommandIO,
) {
  await withRelay(config, io, async (service) => {
    const key = await service.createKey({
      project,
      ...(origins && {
        allowed_origins: origins
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      }),
    })
    const relayUrl = relayUrlOf(config, io)
    const dsn = sentryDsn(key, relayUrl)
    io.out(
      `Created DSN key ${key.public_key} for project ${key.project} (project id ${key.project_id})\n\n` +
        `Sentry DSN (any Sentry SDK): ${dsn}\n\n${snippetsText(dsn)}\n` +
        `Monlight's own browser SDK:\n` +
        `  import { init } from '@monlight/browser'\n` +
        `  init({ dsn: '${key.public_key}', endpoint: '${relayUrl}' })\n`,
    )
  })
}
