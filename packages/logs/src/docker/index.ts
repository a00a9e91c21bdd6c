/**
 * @module @monlight/logs/docker
 *
 * Docker json-file ingestion (Node only): container discovery by `config.v2.json` name, crash-safe cursors,
 * rotation and truncation, multiline reassembly. `createLogs({ docker: { … } })` runs it for you; these exports
 * are for custom setups and tests.
 */
export { containerMatcher, type DiscoveredContainer, discoverContainers } from './discovery.js'
export { createDockerIngestor, type DockerIngestorOptions } from './ingestor.js'
export { type DockerLine, parseDockerLine } from './json-line.js'
export { type AssembledEntry, createMultiline, isContinuation, type MultilineState } from './multiline.js'
