import type { Logger } from '@monlight/core'
import type { AlertChannel } from './channels.js'
import { type AlertMessage, type ErrorAlert, errorAlertMessage, testAlertMessage } from './message.js'

export interface DispatcherOptions {
  channels: AlertChannel[]
  baseUrl: string
  /** Error alerts per rolling minute; more are dropped with a warning (alert storms). */
  perMinute: number
  /** Alerts waiting to be sent; more are dropped with a warning. */
  queueSize: number
  logger: Logger
  now: () => number
}

export type AlertDispatcher = ReturnType<typeof createAlertDispatcher>

/**
 * Sends alerts off the request path: `notify` only queues. One worker drains the queue, one message at a time,
 * to every channel; each failure is logged with the channel and the reason, never thrown back.
 */
export function createAlertDispatcher(options: DispatcherOptions) {
  const { channels, logger } = options
  /** Messages, each with the channels it goes to. */
  const queue: [AlertMessage, AlertChannel[]][] = []
  const sentAt: number[] = []
  let worker: Promise<void> | undefined

  const enqueue = (message: AlertMessage, to = channels) => {
    if (queue.length >= options.queueSize) {
      logger.warn('alert dropped: the alert queue is full', {
        subject: message.subject,
        queued: queue.length,
      })
      return
    }
    queue.push([message, to])
    worker ??= drain()
  }

  const drain = async () => {
    // Let the response go out first.
    await new Promise((resolve) => setImmediate(resolve))
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [message, to] = next
      await Promise.all(to.map((channel) => deliver(channel, message)))
    }
    // In the same turn as the last empty-queue check: a message queued from now on starts a new worker.
    worker = undefined
  }

  const deliver = async (channel: AlertChannel, message: AlertMessage) => {
    if (channel.problem) {
      logger.warn('alert not sent', {
        channel: channel.name,
        reason: channel.problem,
        subject: message.subject,
      })
      return
    }
    try {
      await channel.send(message)
      logger.info('alert sent', { channel: channel.name, subject: message.subject })
    } catch (error) {
      logger.error('alert failed', {
        channel: channel.name,
        subject: message.subject,
        reason: error instanceof Error ? error.message : String(error),
      })
    }
  }

  /** Rolling one-minute window of accepted error alerts. */
  const underCap = (): boolean => {
    const now = options.now()
    while (sentAt.length > 0 && sentAt[0]! <= now - 60_000) sentAt.shift()
    if (sentAt.length >= options.perMinute) return false
    sentAt.push(now)
    return true
  }

  return {
    /** Names of the configured channels. */
    channels: channels.map((channel) => channel.name),

    /** Queues an alert for a new or reopened group; returns at once. */
    notify(error: ErrorAlert): void {
      if (channels.length === 0) return
      const message = errorAlertMessage(error, options.baseUrl)
      if (!underCap()) {
        logger.warn('alert dropped: too many alerts this minute', {
          subject: message.subject,
          perMinute: options.perMinute,
        })
        return
      }
      enqueue(message)
    },

    /**
     * Queues a test alert on every channel that can send; returns the channels used and the problems of the
     * others (for `POST /api/test-alert`).
     */
    test(): { sent: string[]; problems: string[] } {
      const ready = channels.filter((channel) => !channel.problem)
      // One message per channel, each naming the channel it went through.
      for (const channel of ready) enqueue(testAlertMessage(options.baseUrl, channel.label), [channel])
      return {
        sent: ready.map((channel) => channel.name),
        problems: channels.flatMap((channel) => (channel.problem ? [channel.problem] : [])),
      }
    },

    /** Resolves when the queue is empty (for shutdown and tests). */
    async idle(): Promise<void> {
      while (worker) await worker
    },
  }
}
