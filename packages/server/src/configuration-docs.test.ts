/**
 * docs/configuration.md against the code: every variable the server (OPTIONS) or a module slot reads is
 * documented, and the page documents nothing that is no longer read.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPTIONS } from './options.js'

const MODULES_DIR = new URL('./modules/', import.meta.url)
const DOCS = new URL('../../../docs/configuration.md', import.meta.url)

/** Names the slots read: `env.text('SMTP_HOST')`, `env.integer('SMTP_PORT', …)`, `context.env.CONTAINERS`. */
function variablesReadBySlots(): Set<string> {
  const names = new Set<string>()
  for (const file of readdirSync(MODULES_DIR).filter(
    (name) => name.endsWith('.ts') && !name.includes('.test.'),
  )) {
    const source = readFileSync(new URL(file, MODULES_DIR), 'utf8')
    for (const match of source.matchAll(
      /env\s*\.(?:text|list|integer|positive|url|choice)\(\s*'([A-Z][A-Z0-9_]*)'/g,
    )) {
      names.add(match[1]!)
    }
    for (const match of source.matchAll(/context\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1]!)
    // A name picked at run time, e.g. env.integer(env.text('RELAY_RATE_LIMIT') ? 'RELAY_RATE_LIMIT' : 'RATE_LIMIT').
    for (const match of source.matchAll(/\? '([A-Z][A-Z0-9_]*)' : '([A-Z][A-Z0-9_]*)'/g)) {
      names.add(match[1]!)
      names.add(match[2]!)
    }
  }
  return names
}

/** Backticked names in the first column of the page's tables. */
function documentedVariables(): Set<string> {
  const names = new Set<string>()
  for (const line of readFileSync(DOCS, 'utf8').split('\n')) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1]
    for (const match of first?.matchAll(/`([A-Z][A-Z0-9_]*)`/g) ?? []) names.add(match[1]!)
  }
  return names
}

describe('docs/configuration.md', () => {
  const read = new Set([...OPTIONS.flatMap((option) => option.env), ...variablesReadBySlots()])
  const documented = documentedVariables()

  it('documents every variable the server and the modules read', () => {
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([])
    expect(read.size).toBeGreaterThan(40)
  })

  it('documents nothing that is not read', () => {
    expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([])
  })
})
