import { resolveConfig } from './config.js'
import { debugIds } from './debug-ids.js'
import { createTransport } from './transport.js'
import type { BrowserError, Hub, Integration, MonlightClient, MonlightConfig } from './types.js'
import { firstFrame, guard, isoNow } from './util.js'

/** A repeated error (same type, message and first frame) is sent once per minute; 50 keys remembered. */
const DEDUP_MS = 60_000
const DEDUP_KEYS = 50

/** Upstream's session: one UUID per tab in sessionStorage, no cookies. */
const sessionId = (): string => {
  try {
    // Storage's named properties are getItem / setItem.
    const id = sessionStorage.monlight_session_id || crypto.randomUUID()
    sessionStorage.monlight_session_id = id
    return id
  } catch {
    return `${Math.random()}`
  }
}

/**
 * The client with only the features passed in, so a bundler drops the rest:
 * `createClient({ dsn }, [errorsIntegration()])`. `init()` is this with every feature.
 * With `enabled: false` nothing is installed and every method does nothing.
 */
export function createClient(options: MonlightConfig, integrations: Integration[] = []): MonlightClient {
  const config = resolveConfig(options, location.href)
  const transport = createTransport(config)
  const context: Record<string, unknown> = {}
  const seen = new Map<string, number>()
  const cleanups: Array<() => void> = []
  const hideHooks: Array<() => void> = []

  const captureEvent = guard(
    (type: string, message: string, stack: string, extra?: Record<string, unknown>) => {
      if (!hub.active) return
      const key = `${type}:${message}:${firstFrame(stack)}`
      const now = Date.now()
      if (now - (seen.get(key) ?? -DEDUP_MS) < DEDUP_MS) return
      // Bounded the cheap way: forgetting everything at once only lets a repeat through early.
      if (seen.size > DEDUP_KEYS) seen.clear()
      seen.set(key, now)
      let event: BrowserError | null = {
        type,
        message,
        stack,
        url: location.href,
        user_agent: navigator.userAgent,
        session_id: hub.session,
        context: { ...context, ...extra, breadcrumbs: hub.crumbs?.slice() },
        release: config.release,
        environment: config.environment,
        timestamp: isoNow(),
        debug_ids: debugIds(stack),
      }
      if (config.beforeSend) event = config.beforeSend(event)
      if (event) transport.send('errors', JSON.stringify(event))
    },
  )
  const cleanup = (fn: () => void) => cleanups.push(fn)

  const hub: Hub = {
    config,
    transport,
    active: config.enabled !== false,
    session: sessionId(),
    captureEvent,
    // Errors (and error-like objects) by name, message and stack; anything else as `type` with its text.
    captureThrown: (error: any, extra, type = 'Error') =>
      captureEvent(error?.name ?? type, error?.message ?? String(error), error?.stack ?? '', extra),
    crumb() {},
    listen(target, type, listener, capture) {
      const safe = guard(listener)
      target.addEventListener(type, safe, capture)
      cleanup(() => target.removeEventListener(type, safe, capture))
    },
    patch(target, key, wrap) {
      const original = target[key]
      target[key] = wrap(original)
      cleanup(() => {
        target[key] = original
      })
    },
    cleanup,
    onHide: (hook) => hideHooks.push(hook),
  }

  if (hub.active) {
    // Page hide: every current browser fires this before navigating away, closing, freezing or entering the
    // back-forward cache (and on tab switches): the last moment that is reliably there.
    hub.listen(document, 'visibilitychange', () => {
      if (document.hidden) {
        for (const hook of hideHooks) guard(hook)()
        transport.beacon()
      }
    })
    for (const integration of integrations) guard(integration)(hub)
  }

  return {
    captureError: guard(hub.captureThrown),
    captureMessage: (message, level) =>
      captureEvent(level !== 'warning' ? 'ConsoleError' : 'ConsoleWarning', message, Error(message).stack!),
    setUser(userId) {
      if (userId == null) delete context.user_id
      else context.user_id = userId
    },
    addContext(key, value) {
      context[key] = value
    },
    flush: transport.flush,
    destroy() {
      if (!hub.active) return
      ;(hub as { active: boolean }).active = false
      for (const fn of cleanups.reverse()) guard(fn)()
      seen.clear()
      transport.flush()
    },
  }
}
