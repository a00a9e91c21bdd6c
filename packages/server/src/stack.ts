import type { Logger, MigrateResult, MonlightModule } from '@monlight/core'
import type { Env } from './config.js'
import { type ModuleDatabases, openDatabases } from './databases.js'
import type { ModuleContext, ModuleSlot } from './modules.js'

/** A module with the slot it was built from. */
export interface StackModule {
  slot: ModuleSlot
  module: MonlightModule
}

/** Modules built over their open databases; nothing listens and no job runs yet. */
export interface Stack {
  readonly modules: readonly StackModule[]
  readonly databases: ModuleDatabases
  /** Runs each module's migrations, one module after the other; results by module name. */
  migrate(): Promise<Record<string, MigrateResult>>
  /** Closes the databases. */
  close(): Promise<void>
}

/** Opens the databases and builds every module in `slots`. */
export async function openStack(
  config: { dataDir: string; databaseUrl?: string | undefined },
  slots: readonly ModuleSlot[],
  apiKeys: readonly string[],
  logger: Logger,
  env: Env = process.env,
): Promise<Stack> {
  const databases = await openDatabases(config, slots)
  const modules: StackModule[] = []
  try {
    for (const slot of slots) {
      const context: ModuleContext = {
        name: slot.name,
        database: databases.get(slot.name),
        apiKeys: [...apiKeys],
        logger: logger.child(slot.name),
        env,
        modules: new Map(modules.map(({ slot, module }) => [slot.name, module])),
      }
      modules.push({ slot, module: await slot.create(context) })
    }
  } catch (error) {
    await databases.close()
    throw error
  }

  return {
    modules,
    databases,
    async migrate() {
      const results: Record<string, MigrateResult> = {}
      // One at a time: on a shared database each module takes its own lock, and logs stay in order.
      for (const { slot, module } of modules) {
        results[slot.name] = await module.migrate()
        if (results[slot.name]!.applied.length > 0) {
          logger.info('migrated', { module: slot.name, applied: results[slot.name]!.applied.join(',') })
        }
      }
      return results
    },
    close: () => databases.close(),
  }
}
