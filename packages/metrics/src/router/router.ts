import { createModuleApp, findUiDir, type Logger, mountUi, readJson, readQuery } from '@monlight/core'
import type { H3 } from 'h3'
import type { ResolvedMetricsOptions } from '../options.js'
import type { MetricsService } from '../service/service.js'
import { pointsFromBody } from '../service/validate.js'

/** Upstream's ingest body cap: 512 KiB. */
export const INGEST_BODY_LIMIT = 512 * 1024

export function createMetricsRouter(
  service: MetricsService,
  options: Pick<ResolvedMetricsOptions, 'apiKeys' | 'rateLimit' | 'prometheus'> & { logger: Logger },
): H3 {
  const app = createModuleApp({
    name: 'metrics',
    auth: options.apiKeys ? { apiKeys: options.apiKeys } : false,
    rateLimit: options.rateLimit,
    bodyLimit: INGEST_BODY_LIMIT,
    logger: options.logger,
    health: () => service.health(),
  })

  app.post('/api/metrics', async (event) => {
    const result = await service.ingest(pointsFromBody(await readJson(event)) as never)
    event.res.status = 202
    return { status: 'accepted', count: result.count }
  })
  app.get('/api/metrics', (event) => service.query(readQuery(event)))
  app.get('/api/metrics/names', (event) => service.names(readQuery(event).project))
  app.get('/api/metrics/labels', (event) => {
    const { name, project } = readQuery(event)
    return service.labels(name, project)
  })
  app.get('/api/projects', () => service.projects())
  app.get('/api/dashboard', (event) => {
    const { period, project } = readQuery(event)
    return service.dashboard({ period, project })
  })
  if (options.prometheus) {
    app.get(options.prometheus.path, async (event) => {
      event.res.headers.set('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      return service.prometheus()
    })
  }
  mountUi(app, { dir: findUiDir(import.meta.url), pages: ['/dashboard'] })
  return app
}
