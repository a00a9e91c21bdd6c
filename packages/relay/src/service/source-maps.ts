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

const CONTEXT_LINES = 5

/**
 * Maps the frames of Sentry exceptions (oldest call first) that have an uploaded map for (project, release, file)
 * to their original file, line, column and function, with the source lines around them when the map embeds its
 * sources. A frame that looks minified and does not map says why in `unmapped_reason`. Returns new exceptions.
 */
export async function mapExceptionFrames(
  exceptions: readonly ExceptionInfo[],
  target: { project: string; release: string | undefined },
  deps: { store: RelayStore; cache: SourceMapCache },
): Promise<ExceptionInfo[]> {
  const mappable = (frame: ExceptionInfo['frames'][number]) =>
    (frame.abs_path ?? frame.filename) !== undefined &&
    frame.lineno !== undefined &&
    frame.colno !== undefined
  const files = exceptions.flatMap((exception) =>
    exception.frames.filter(mappable).map((frame) => (frame.abs_path ?? frame.filename)!),
  )
  if (files.length === 0) return [...exceptions]
  if (target.release === undefined) {
    return exceptions.map((exception) => ({
      ...exception,
      frames: exception.frames.map((frame) =>
        mappable(frame)
          ? { ...frame, unmapped_reason: 'the event has no release (maps are found by release and file)' }
          : frame,
      ),
    }))
  }
  const release = target.release
  const keys = new Set(files.flatMap(fileKeys))
  const ids = await deps.store.findSourceMapIds(target.project, release, [...keys])
  const result: ExceptionInfo[] = []
  for (const exception of exceptions) {
    const located: (Located | string | undefined)[] = []
    for (const frame of exception.frames) {
      if (!mappable(frame)) {
        located.push(undefined)
        continue
      }
      const file = (frame.abs_path ?? frame.filename)!
      const found = await locate({ file, line: frame.lineno!, column: frame.colno! }, ids, deps.cache, true)
      located.push(found ?? `no source map uploaded for ${fileKeys(file)[0]} in release ${release}`)
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

/** The lines around `line` (1-based) of a source text, as Sentry frames carry them. */
function contextOf(source: string, line: number) {
  const lines = source.split('\n')
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
  ids: Map<string, number>,
  cache: SourceMapCache,
): Promise<Located | undefined>
async function locate(
  frame: Pick<StackFrame, 'file' | 'line' | 'column'>,
  ids: Map<string, number>,
  cache: SourceMapCache,
  explain: true,
): Promise<Located | string | undefined>
async function locate(
  frame: Pick<StackFrame, 'file' | 'line' | 'column'>,
  ids: Map<string, number>,
  cache: SourceMapCache,
  explain = false,
): Promise<Located | string | undefined> {
  const id = fileKeys(frame.file)
    .map((key) => ids.get(key))
    .find((value) => value !== undefined)
  if (id === undefined) return undefined
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
    const content = explain ? consumer.sourceContentFor(position.source, true) : null
    return {
      source: position.source,
      line: position.line,
      column,
      name: position.name ?? undefined,
      enclosing: enclosingFunction(functionsOf(consumer, position.source), position.line, column),
      ...(content !== null && { context: contextOf(content, position.line) }),
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
