import type { Logger } from '@monlight/core'
import { SourceMapConsumer } from 'source-map'
import type { RelayStore } from '../store/store.js'
import { enclosingFunction, type FunctionIndex, indexFunctions } from './function-name.js'
import { fileKeys, formatFrame, type OriginalLocation, parseFrame, type StackFrame } from './stack.js'

/** A frame's original location and the function around it in the original source (when the map embeds it). */
interface Located extends OriginalLocation {
  enclosing?: string
}

interface CacheEntry {
  consumer: Promise<SourceMapConsumer | undefined>
  /** Deobfuscations holding the consumer; it is destroyed once evicted and released. */
  users: number
  evicted: boolean
}

/**
 * Parsed source maps by id, least recently used first. A consumer lives in WASM memory that the GC cannot free,
 * so an evicted one is destroyed, after the deobfuscations still using it are done.
 */
export function createSourceMapCache(options: {
  size: number
  load: (id: number) => Promise<string | undefined>
  logger: Logger
}) {
  const entries = new Map<number, CacheEntry>()

  const destroy = (entry: CacheEntry) => {
    void entry.consumer.then((consumer) => consumer?.destroy())
  }
  const evict = (id: number) => {
    const entry = entries.get(id)
    if (!entry) return
    entries.delete(id)
    entry.evicted = true
    if (entry.users === 0) destroy(entry)
  }
  const parse = async (id: number): Promise<SourceMapConsumer | undefined> => {
    const content = await options.load(id)
    if (content === undefined) return undefined
    try {
      return await new SourceMapConsumer(JSON.parse(content))
    } catch (error) {
      options.logger.warn('unusable source map', { id, error })
      return undefined
    }
  }

  return {
    /** Runs `work` with the parsed map `id`, keeping it alive until `work` returns. */
    async use<T>(id: number, work: (consumer: SourceMapConsumer | undefined) => T | Promise<T>): Promise<T> {
      let entry = entries.get(id)
      if (entry) {
        entries.delete(id)
      } else {
        entry = { consumer: parse(id), users: 0, evicted: false }
        while (entries.size >= options.size) evict(entries.keys().next().value!)
      }
      entries.set(id, entry)
      entry.users++
      try {
        return await work(await entry.consumer)
      } finally {
        entry.users--
        if (entry.evicted && entry.users === 0) destroy(entry)
      }
    },
    evict,
    get size() {
      return entries.size
    },
    clear() {
      for (const id of [...entries.keys()]) evict(id)
    },
  }
}

export type SourceMapCache = ReturnType<typeof createSourceMapCache>

/**
 * Rewrites the frames of `stack` that have an uploaded map for (project, release, file) to their original
 * locations; other lines are kept. Returns the stack unchanged when nothing maps.
 */
export async function deobfuscate(
  stack: string,
  target: { project: string; release: string },
  deps: { store: RelayStore; cache: SourceMapCache },
): Promise<string> {
  const lines = stack.split('\n')
  const frames = lines.map((line) => parseFrame(line.replace(/\r$/, '')))
  const keys = new Set<string>()
  for (const frame of frames) if (frame) for (const key of fileKeys(frame.file)) keys.add(key)
  const ids = await deps.store.findSourceMapIds(target.project, target.release, [...keys])
  if (ids.size === 0) return stack

  const originals: (Located | undefined)[] = []
  for (const frame of frames) originals.push(frame && (await locate(frame, ids, deps.cache)))
  if (!originals.some(Boolean)) return stack
  return lines
    .map((line, index) => {
      const frame = frames[index]
      const original = originals[index]
      if (!frame || !original) return line
      return formatFrame(frame, { ...original, name: functionName(original, originals[index + 1]) })
    })
    .join('\n')
}

async function locate(
  frame: StackFrame,
  ids: Map<string, number>,
  cache: SourceMapCache,
): Promise<Located | undefined> {
  const id = fileKeys(frame.file)
    .map((key) => ids.get(key))
    .find((value) => value !== undefined)
  if (id === undefined) return undefined
  return cache.use(id, (consumer) => {
    if (!consumer) return undefined
    // Stack columns are 1-based, the library's 0-based; the default bias takes the nearest mapping at or before
    // the column on that line when none starts exactly there.
    const position = consumer.originalPositionFor({ line: frame.line, column: Math.max(0, frame.column - 1) })
    if (position.source === null || position.line === null) return undefined
    const column = (position.column ?? 0) + 1
    return {
      source: position.source,
      line: position.line,
      column,
      name: position.name ?? undefined,
      enclosing: enclosingFunction(functionsOf(consumer, position.source), position.line, column),
    }
  })
}

/**
 * A frame's original function name: the function around it in the original source; else the name mapped at the
 * caller's call site (the callee's original name); else the name mapped at the frame's own position (upstream's
 * rule); else the minified name stays.
 */
function functionName(own: Located, caller: Located | undefined): string | undefined {
  return own.enclosing ?? caller?.name ?? own.name
}

const functionsBySource = new WeakMap<SourceMapConsumer, Map<string, FunctionIndex>>()

/** The functions of an original source, indexed once and kept as long as its parsed map is. */
function functionsOf(consumer: SourceMapConsumer, source: string): FunctionIndex {
  let sources = functionsBySource.get(consumer)
  if (!sources) {
    sources = new Map()
    functionsBySource.set(consumer, sources)
  }
  let index = sources.get(source)
  if (!index) {
    index = indexFunctions(consumer.sourceContentFor(source, true) ?? '')
    sources.set(source, index)
  }
  return index
}
