import { createModuleApp, type MonlightModule } from '@monlight/core'
import type { ModuleContext } from './modules.js'

/**
 * Stands in for a module that is not written yet: the module app's conventions (open `/health`, API-key auth,
 * JSON 404s), no tables, no jobs.
 */
export function createPlaceholderModule(context: ModuleContext): MonlightModule {
  const router = createModuleApp({
    name: context.name,
    auth: { apiKeys: context.apiKeys },
    logger: context.logger,
  })
  return {
    name: context.name,
    router,
    fetch: async (request) => router.fetch(request),
    migrate: async () => ({ applied: [] }),
    start: () => async () => {},
  }
}
