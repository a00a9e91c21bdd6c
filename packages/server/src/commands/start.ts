import { formatBanner } from '../banner.js'
import type { ServerConfig } from '../config.js'
import { startServer } from '../server.js'
import { exitOnSignals } from '../signals.js'
import { packageVersion } from '../version.js'
import type { CommandIO } from './io.js'

/** `monlight start`: run until SIGTERM or SIGINT. */
export async function runStart(config: ServerConfig, io: CommandIO): Promise<void> {
  const server = await startServer(config, { logger: io.logger, env: io.env })
  // performance.now() counts from process start, so this includes loading the code.
  io.out(formatBanner(server, { version: packageVersion(), readyMs: performance.now() }))
  exitOnSignals(() => server.close(), io.logger)
}
