/** A command line `monlight` cannot act on; the CLI prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError'
  }
}

export interface ArgvSpec {
  /** Flags taking a value (`--port 8080`, `--port=8080`), by flag name. */
  values: readonly string[]
  /** Flags without a value (`--help`). */
  switches: readonly string[]
  /** Short forms, e.g. `{ '-h': '--help' }`. */
  aliases?: Readonly<Record<string, string>>
}

export interface ParsedArgv {
  /** Command and its arguments, in order. */
  positionals: string[]
  /** Last value given for each value flag. */
  values: Record<string, string>
  switches: Set<string>
}

/**
 * A small argv parser: `--flag value`, `--flag=value`, switches, and `--` to end the options. Anything it does
 * not know is a {@link UsageError} naming it.
 */
export function parseArgv(argv: readonly string[], spec: ArgvSpec): ParsedArgv {
  const parsed: ParsedArgv = { positionals: [], values: {}, switches: new Set() }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const written = eq === -1 ? arg : arg.slice(0, eq)
    const name = spec.aliases?.[written] ?? written
    if (spec.switches.includes(name)) {
      if (eq !== -1) throw new UsageError(`Option ${name} takes no value`)
      parsed.switches.add(name)
    } else if (spec.values.includes(name)) {
      // A following option means the value was forgotten; a value starting with `--` needs `--flag=value`.
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[i + 1]?.startsWith('--') ? undefined : argv[++i]
      if (value === undefined || value.trim() === '') throw new UsageError(`Option ${name} needs a value`)
      parsed.values[name] = value
    } else {
      throw new UsageError(
        `Unknown option '${written}'${suggest(written, [...spec.values, ...spec.switches])}`,
      )
    }
  }
  return parsed
}

/** `--data_dir` or `--DATA-DIR` → a hint at `--data-dir`. */
function suggest(written: string, known: readonly string[]): string {
  const normal = (flag: string) => flag.toLowerCase().replace(/_/g, '-').replace(/^-+/, '')
  const match = known.find((flag) => normal(flag) === normal(written))
  return match ? ` (did you mean ${match}?)` : ''
}
