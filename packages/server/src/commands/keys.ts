import { MonlightConfigError } from '@monlight/core'
import { type RelayService, sentryDsn, snippetsText } from '@monlight/relay'
import { generateApiKey } from '../api-key.js'
import type { ServerConfig } from '../config.js'
import { MODULES } from '../modules.js'
import { openStack } from '../stack.js'
import type { CommandIO } from './io.js'

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
  const relaySlot = MODULES.filter((slot) => slot.name === 'relay')
  // The relay's router wants an admin key; creating a key needs none, so a throwaway one avoids a key file.
  const stack = await openStack(config, relaySlot, [generateApiKey()], io.logger, io.env)
  try {
    await stack.migrate()
    const service = stack.modules[0]?.module.service as RelayService | undefined
    if (!service) throw new MonlightConfigError('the relay module is not available')
    const key = await service.createKey({
      project,
      ...(origins && {
        allowed_origins: origins
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      }),
    })
    const relayUrl =
      io.env.RELAY_PUBLIC_URL || `http://localhost:${config.port ?? config.ports.relay ?? 5013}`
    const dsn = sentryDsn(key, relayUrl)
    io.out(
      `Created DSN key ${key.public_key} for project ${key.project} (project id ${key.project_id})\n\n` +
        `Sentry DSN (any Sentry SDK): ${dsn}\n\n${snippetsText(dsn)}\n` +
        `Monlight's own browser SDK:\n` +
        `  import { init } from '@monlight/browser'\n` +
        `  init({ dsn: '${key.public_key}', endpoint: '${relayUrl}' })\n`,
    )
  } finally {
    await stack.close()
  }
}
