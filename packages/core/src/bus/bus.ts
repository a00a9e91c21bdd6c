import type { Database, PgClientLike, PgPoolLike } from '../database/create-database.js'
import { type Logger, silentLogger } from '../logger.js'

export type BusHandler = (message: unknown) => void

/** Publish/subscribe for live events (log tail, UI refresh). At most once: a subscriber that is away misses it. */
export interface Bus {
  publish(channel: string, message: unknown): Promise<void>
  /** Returns the unsubscribe function. */
  subscribe(channel: string, handler: BusHandler): () => void
  /** Resolves when messages from other instances can arrive (at once for the in-process bus). */
  ready(): Promise<void>
  close(): Promise<void>
}

export interface BusOptions {
  /** On a `pg` database the bus spans every instance on it (LISTEN/NOTIFY); otherwise it is in-process. */
  database?: Pick<Database, 'driver' | 'pool'>
  logger?: Logger
  /** Delay before reconnecting a lost LISTEN connection. Default 1000 ms. */
  reconnectMs?: number
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_BUS_MESSAGE_BYTES = 7999
const PG_CHANNEL = 'monlight_bus'

/**
 * Creates the bus: in-process by default; over PostgreSQL LISTEN/NOTIFY when several instances share a `pg`
 * database, so a message published on one instance reaches subscribers on all of them.
 *
 * @example
 * const bus = createBus({ database })
 * const off = bus.subscribe('logs', (entry) => stream.push(entry))
 * await bus.publish('logs', { message: 'hello' })
 */
export function createBus(options: BusOptions = {}): Bus {
  const logger = (options.logger ?? silentLogger).child('bus')
  const handlers = new Map<string, Set<BusHandler>>()

  const deliver = (channel: string, message: unknown) => {
    const set = handlers.get(channel)
    if (!set) return
    for (const handler of set) {
      try {
        handler(message)
      } catch (error) {
        logger.error('bus subscriber failed', { channel, error })
      }
    }
  }
  const subscribe = (channel: string, handler: BusHandler) => {
    let set = handlers.get(channel)
    if (!set) {
      set = new Set()
      handlers.set(channel, set)
    }
    set.add(handler)
    return () => {
      set.delete(handler)
      if (set.size === 0) handlers.delete(channel)
    }
  }

  const pool = options.database?.driver === 'pg' ? options.database.pool : undefined
  if (!pool) {
    return {
      async publish(channel, message) {
        deliver(channel, message)
      },
      subscribe,
      ready: async () => {},
      close: async () => handlers.clear(),
    }
  }
  return createPostgresBus(pool, deliver, subscribe, logger, options.reconnectMs ?? 1000)
}

function createPostgresBus(
  pool: PgPoolLike,
  deliver: (channel: string, message: unknown) => void,
  subscribe: Bus['subscribe'],
  logger: Logger,
  reconnectMs: number,
): Bus {
  let listener: PgClientLike | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined

  const listen = async (): Promise<void> => {
    try {
      const client = await pool.connect()
      client.on('notification', ({ channel, payload }) => {
        if (channel !== PG_CHANNEL || payload === undefined) return
        const { c, m } = JSON.parse(payload) as { c: string; m: unknown }
        deliver(c, m)
      })
      client.on('error', (error) => {
        logger.warn('bus connection lost; reconnecting', { error })
        if (listener === client) listener = undefined
        client.release(true)
        if (!closed) reconnect()
      })
      await client.query(`LISTEN ${PG_CHANNEL}`)
      if (closed) {
        client.release(true)
        return
      }
      listener = client
    } catch (error) {
      logger.warn('bus cannot listen; retrying', { error })
      if (!closed) reconnect()
    }
  }
  const reconnect = () => {
    retry = setTimeout(() => void listen(), reconnectMs)
    retry.unref()
  }
  const listening = listen()

  return {
    async publish(channel, message) {
      const payload = JSON.stringify({ c: channel, m: message })
      const bytes = Buffer.byteLength(payload)
      if (bytes > MAX_BUS_MESSAGE_BYTES) {
        throw new Error(
          `Bus message on '${channel}' is ${bytes} bytes; the limit is ${MAX_BUS_MESSAGE_BYTES}`,
        )
      }
      await pool.query('select pg_notify($1, $2)', [PG_CHANNEL, payload])
    },
    subscribe,
    ready: () => listening,
    async close() {
      closed = true
      clearTimeout(retry)
      await listening
      const client = listener
      listener = undefined
      if (client) {
        await client.query(`UNLISTEN ${PG_CHANNEL}`).catch(() => {})
        client.release(true)
      }
    },
  }
}
