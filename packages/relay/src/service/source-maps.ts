import type { ExceptionInfo, Logger } from '@monlight/core'
import { SourceMapConsumer } from 'source-map'
import type { RelayStore } from '../store/store.js'
import { enclosingFunction, type FunctionIndex, indexFunctions } from './function-name.js'
import { fileKeys, formatFrame, type OriginalLocation, parseFrame, type StackFrame } from './stack.js'

/** A frame's original location and the function around it in the original source (when the map embeds it). */
interface Located extends OriginalLocation {
  enclosing?: string
  /** The original source lines around it (Sentry frames only). */
  context?: ReturnType<typeof contextOf>
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

/** Where an event's maps are looked for: by debug ID (`debug_meta`, file URL → ID) first, else by release + URL. */
export interface MapTarget {
  project: string
  release: string | undefined
  debugIds?: ReadonlyMap<string, string> | undefined
}

/** The uploaded map of a frame's file: its id, or why there is none. */
type MapFinder = (file: string) => number | string

/** Looks up, in two queries at most, the maps of every file in `files` for `target`. */
async function findMaps(files: string[], target: MapTarget, store: RelayStore): Promise<MapFinder> {
  const debugIds = new Map<string, string>()
  for (const [file, id] of target.debugIds ?? []) {
    debugIds.set(file, id)
    debugIds.set(fileKeys(file)[0]!, id)
  }
  const debugIdOf = (file: string) => debugIds.get(file) ?? debugIds.get(fileKeys(file)[0]!)
  const wanted = [...new Set(files.map(debugIdOf).filter((id) => id !== undefined))]
  const byDebugId = await store.findSourceMapIdsByDebugId(target.project, wanted)
  const release = target.release
  const byUrl =
    release === undefined
      ? new Map<string, { id: number; debugId: string | null }>()
      : await store.findSourceMapIds(target.project, release, [...new Set(files.flatMap(fileKeys))])

  return (file) => {
    const debugId = debugIdOf(file)
    const fromDebugId = debugId === undefined ? undefined : byDebugId.get(debugId)
    if (fromDebugId !== undefined) return fromDebugId
    const path = fileKeys(file)[0]
    const fromUrl = fileKeys(file)
      .map((key) => byUrl.get(key))
      .find((map) => map !== undefined)
    if (fromUrl) {
      // The release's map of this file belongs to another build than the one that ran: it would map wrongly.
      if (debugId !== undefined && fromUrl.debugId !== null) {
        return `no source map uploaded with debug ID ${debugId} (${path}); the one of release ${release} is of another build (${fromUrl.debugId})`
      }
      return fromUrl.id
    }
    if (debugId !== undefined) {
      return `no source map uploaded with debug ID ${debugId} (${path})${release === undefined ? '' : ` nor for it in release ${release}`}`
    }
    return release === undefined
      ? `no debug ID for ${path} and the event has no release: run \`sentry-cli sourcemaps inject\` on the build, or set a release`
      : `no source map uploaded for ${path} in release ${release} (and no debug ID for it)`
  }
}

/**
 * Rewrites the frames of `stack` that have an uploaded map (by debug ID, or by release and file) to their
 * original locations; other lines are kept. Returns the stack unchanged when nothing maps.
 */
export async function deobfuscate(
  stack: string,
  target: MapTarget,
  deps: { store: RelayStore; cache: SourceMapCache },
): Promise<string> {
  const lines = stack.split('\n')
  const frames = lines.map((line) => parseFrame(line.replace(/\r$/, '')))
  const files = frames.flatMap((frame) => (frame ? [frame.file] : []))
  if (files.length === 0) return stack
  const find = await findMaps(files, target, deps.store)

  const originals: (Located | undefined)[] = []
  for (const frame of frames) {
    const id = frame && find(frame.file)
    originals.push(typeof id === 'number' ? await locate(frame!, id, deps.cache) : undefined)
  }
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

const CONTEXT_LINES = 5

/**
 * Maps the frames of Sentry exceptions (oldest call first) that have an uploaded map, by debug ID or by release
 * and file, to their original file, line, column and function, with the source lines around them when the map
 * embeds its sources. A frame with a position that does not map says why in `unmapped_reason`. Returns new
 * exceptions.
 */
export async function mapExceptionFrames(
  exceptions: readonly ExceptionInfo[],
  target: MapTarget,
  deps: { store: RelayStore; cache: SourceMapCache },
): Promise<ExceptionInfo[]> {
  const fileOf = (frame: ExceptionInfo['frames'][number]) =>
    frame.lineno !== undefined && frame.colno !== undefined ? (frame.abs_path ?? frame.filename) : undefined
  const files = exceptions.flatMap((exception) => exception.frames.flatMap((frame) => fileOf(frame) ?? []))
  if (files.length === 0) return [...exceptions]
  const find = await findMaps(files, target, deps.store)
  const result: ExceptionInfo[] = []
  for (const exception of exceptions) {
    const located: (Located | string | undefined)[] = []
    for (const frame of exception.frames) {
      const file = fileOf(frame)
      const id = file === undefined ? undefined : find(file)
      located.push(
        typeof id === 'number'
          ? await locate({ file: file!, line: frame.lineno!, column: frame.colno! }, id, deps.cache, true)
          : id,
      )
    }
    result.push({
      ...exception,
      frames: exception.frames.map((frame, index) => {
        const original = located[index]
        if (original === undefined) return frame
        if (typeof original === 'string') return { ...frame, unmapped_reason: original }
        const caller = located[index - 1]
        const { context, ...rest } = original
        return {
          ...frame,
          filename: rest.source,
          abs_path: rest.source,
          lineno: rest.line,
          colno: rest.column,
          // The name mapped at a frame's own position is its callee's (a call site), so it is no fallback here.
          function:
            rest.enclosing ?? (typeof caller === 'object' ? caller.name : undefined) ?? frame.function,
          in_app: frame.in_app !== false && !rest.source.includes('node_modules/'),
          ...context,
        }
      }),
    })
  }
  return result
}

/** The lines around `line` (1-based) of a source's lines, as Sentry frames carry them. */
function contextOf(lines: readonly string[], line: number) {
  if (line < 1 || line > lines.length) return undefined
  const clip = (text: string) => text.replace(/\r$/, '').slice(0, 1000)
  return {
    pre_context: lines.slice(Math.max(0, line - 1 - CONTEXT_LINES), line - 1).map(clip),
    context_line: clip(lines[line - 1]!),
    post_context: lines.slice(line, line + CONTEXT_LINES).map(clip),
  }
}

async function locate(
  frame: Pick<StackFrame, 'file' | 'line' | 'column'>,
  id: number,
  cache: SourceMapCache,
): Promise<Located | undefined>
async function locate(
  frame: Pick<StackFrame, 'file' | 'line' | 'column'>,
  id: number,
  cache: SourceMapCache,
  explain: true,
): Promise<Located | string>
async function locate(
  frame: Pick<StackFrame, 'file' | 'line' | 'column'>,
  id: number,
  cache: SourceMapCache,
  explain = false,
): Promise<Located | string | undefined> {
  return cache.use(id, (consumer) => {
    if (!consumer) return explain ? 'the uploaded source map could not be parsed' : undefined
    // Stack columns are 1-based, the library's 0-based; the default bias takes the nearest mapping at or before
    // the column on that line when none starts exactly there.
    const position = consumer.originalPositionFor({ line: frame.line, column: Math.max(0, frame.column - 1) })
    if (position.source === null || position.line === null) {
      return explain
        ? `the source map has no mapping at line ${frame.line}, column ${frame.column}`
        : undefined
    }
    const column = (position.column ?? 0) + 1
    const original = originalSource(consumer, position.source)
    return {
      source: position.source,
      line: position.line,
      column,
      name: position.name ?? undefined,
      enclosing: enclosingFunction(original.functions, position.line, column),
      ...(explain && original.lines() !== null && { context: contextOf(original.lines()!, position.line) }),
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

/** An original source embedded in a map (`sourcesContent`): its functions and lines, each read once. */
interface OriginalSource {
  functions: FunctionIndex
  /** Its lines, split when first asked for (Sentry frames' context); null when the map does not embed it. */
  lines(): string[] | null
}

const originalSources = new WeakMap<SourceMapConsumer, Map<string, OriginalSource>>()

/** An original source of a parsed map, indexed once and kept as long as the parsed map is. */
function originalSource(consumer: SourceMapConsumer, source: string): OriginalSource {
  let sources = originalSources.get(consumer)
  if (!sources) {
    sources = new Map()
    originalSources.set(consumer, sources)
  }
  let original = sources.get(source)
  if (!original) {
    const content = consumer.sourceContentFor(source, true)
    let lines: string[] | null | undefined
    original = {
      functions: indexFunctions(content ?? ''),
      lines: () => {
        lines ??= content === null ? null : content.split('\n')
        return lines
      },
    }
    sources.set(source, original)
  }
  return original
}
