import type { MonlightModule } from '@monlight/core'
import type { ModuleContext } from '../modules.js'
import { createPlaceholderModule } from '../placeholder-module.js'

/** Builds the metrics module of the standalone stack from the server's context and environment. */
export function createMetricsSlot(context: ModuleContext): MonlightModule {
  return createPlaceholderModule(context)
}
