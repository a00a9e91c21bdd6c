import type { Logger } from '@monlight/core'
import type { Forwarder } from '../service/forward.js'
import type { Edge } from './edge.js'
import type { CumulativeTracker, SeriesBudget } from './metric-points.js'

/**
 * What the relay gives each receiver of a third-party protocol (one folder per protocol: parse → map → routes).
 * A receiver authenticates with `edge.admit`, forwards through `forwarder`, and stores nothing itself.
 */
export interface ReceiverDeps {
  forwarder: Forwarder
  edge: Edge
  /** Cumulative series → increments, shared so a series keeps its state whichever receiver it arrives through. */
  cumulative: CumulativeTracker
  /** Distinct series per metric name; pass it to `forwardPoints` so a label with unbounded values is refused. */
  series: SeriesBudget
  limits: { maxBodyBytes: number; maxDecodedBytes: number }
  logger: Logger
  now: () => number
}
