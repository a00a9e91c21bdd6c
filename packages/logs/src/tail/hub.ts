import { type Bus, MAX_BUS_MESSAGE_BYTES, MonlightError } from '@monlight/core'
import type { LogView } from '../service/entries.js'
import type { Level } from '../service/levels.js'

export const TAIL_CHANNEL = 'logs:entries'
/** Instances with live-tail subscribers say so here, so the others publish their entries only while it matters. */
export const PRESENCE_CHANNEL = 'logs:tail-open'
/** How long an announcement counts; instances with subscribers repeat it three times as often. */
const PRESENCE_MS = 60_000

export interface TailFilter {
  container?: string
  levels?: Level[]
}

export interface TailSubscriber {
  /** Called with every new entry matching the filter; must not block. */
  push(entry: LogView): void
}

/**
 * Fans new entries out to live-tail subscribers. Entries travel over the core bus (in-process, or PostgreSQL
 * LISTEN/NOTIFY so every instance sees every instance's entries) in packs kept under the bus's size limit.
 * Across instances, entries are published only while some instance has announced subscribers: a NOTIFY per pack
 * of every batch cost a fifth of PostgreSQL's ingest rate when nobody watched.
 */
export function createTailHub(initialBus: Bus, options: { maxSubscribers: number }) {
  const subscribers = new Map<TailSubscriber, TailFilter>()
  let bus = initialBus
  let distributed = false
  let unsubscribe: (() => void) | undefined
  let unsubscribePresence: (() => void) | undefined
  let announcing: ReturnType<typeof setInterval> | undefined
  /** Until when some instance (this one included) has announced live-tail subscribers. */
  let watchedUntil = 0

  const listening = () => subscribers.size > 0 || (distributed && Date.now() < watchedUntil)
  const announce = () => bus.publish(PRESENCE_CHANNEL, 1).catch(() => {})
  const startAnnouncing = () => {
    if (!distributed || announcing) return
    announcing = setInterval(announce, PRESENCE_MS / 3)
    announcing.unref()
    void announce()
  }
  const stopAnnouncing = () => {
    clearInterval(announcing)
    announcing = undefined
  }

  const deliver = (message: unknown) => {
    if (!Array.isArray(message)) return
    for (const entry of message as LogView[]) {
      for (const [subscriber, filter] of subscribers) {
        if (filter.container !== undefined && entry.container !== filter.container) continue
        if (filter.levels && !filter.levels.includes(entry.level as Level)) continue
        subscriber.push(entry)
      }
    }
  }

  return {
    get size() {
      return subscribers.size
    },
    /** Whether published entries can reach anyone (a subscriber here, or one another instance announced). */
    get listening() {
      return listening()
    },
    /** Switches buses (the module's start() swaps the in-process bus for the PostgreSQL one and back). */
    useBus(next: Bus, spansInstances: boolean) {
      unsubscribe?.()
      unsubscribePresence?.()
      stopAnnouncing()
      bus = next
      distributed = spansInstances
      unsubscribe = subscribers.size > 0 ? bus.subscribe(TAIL_CHANNEL, deliver) : undefined
      unsubscribePresence = distributed
        ? bus.subscribe(PRESENCE_CHANNEL, () => {
            watchedUntil = Date.now() + PRESENCE_MS
          })
        : undefined
      if (subscribers.size > 0) startAnnouncing()
    },
    /** Registers a subscriber; a 503 when the limit is reached. Returns the unsubscribe function. */
    add(subscriber: TailSubscriber, filter: TailFilter): () => void {
      if (subscribers.size >= options.maxSubscribers) {
        throw new MonlightError('SERVICE_UNAVAILABLE', 'Too many SSE connections')
      }
      subscribers.set(subscriber, filter)
      unsubscribe ??= bus.subscribe(TAIL_CHANNEL, deliver)
      startAnnouncing()
      return () => {
        subscribers.delete(subscriber)
        if (subscribers.size === 0) {
          unsubscribe?.()
          unsubscribe = undefined
          stopAnnouncing()
        }
      }
    },
    /** Publishes stored entries; skipped when nobody can be listening. Never throws. */
    async publish(entries: LogView[]): Promise<void> {
      if (entries.length === 0 || !listening()) return
      for (const pack of packs(entries)) await bus.publish(TAIL_CHANNEL, pack)
    },
  }
}

export type TailHub = ReturnType<typeof createTailHub>

/** Room left for the bus envelope `{"c":"logs:entries","m":…}`. */
const PACK_BYTES = MAX_BUS_MESSAGE_BYTES - 64
const MAX_TAIL_MESSAGE = 4000

/** Splits entries into JSON arrays under the bus limit; a huge message is cut for the tail (the store has it all). */
function* packs(entries: LogView[]): Generator<LogView[]> {
  let pack: LogView[] = []
  let bytes = 2
  for (const original of entries) {
    let entry = original
    let size = Buffer.byteLength(JSON.stringify(entry)) + 1
    if (size > PACK_BYTES) {
      const { attributes: _dropped, ...rest } = entry
      entry = { ...rest, message: `${entry.message.slice(0, MAX_TAIL_MESSAGE)}… [truncated]` }
      size = Buffer.byteLength(JSON.stringify(entry)) + 1
      while (size > PACK_BYTES) {
        entry = { ...entry, message: `${entry.message.slice(0, entry.message.length >> 1)}… [truncated]` }
        size = Buffer.byteLength(JSON.stringify(entry)) + 1
      }
    }
    if (bytes + size > PACK_BYTES && pack.length > 0) {
      yield pack
      pack = []
      bytes = 2
    }
    pack.push(entry)
    bytes += size
  }
  if (pack.length > 0) yield pack
}
