/**
 * Every ```ts block of docs/ typechecks against the built packages: a sample that drifts from the API fails here.
 * Names a sample uses without defining them (the reader's `app`, `apiKey`, ...) are declared in
 * docs/.vitepress/samples-context.d.ts.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DOCS = join(ROOT, 'docs')
// Inside the repository, so that the samples resolve `@monlight/*`, `express`, ... from its node_modules.
const OUT = join(ROOT, 'node_modules', '.cache', 'docs-samples')

function* markdownPages(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* markdownPages(path)
    else if (entry.name.endsWith('.md')) yield path
  }
}

/** Writes each sample as `<page>-<n>.ts`; returns file name → the page and the line of its opening fence. */
function writeSamples(): Map<string, { page: string; line: number }> {
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  const origins = new Map<string, { page: string; line: number }>()
  for (const page of markdownPages(DOCS)) {
    const text = readFileSync(page, 'utf8')
    const name = relative(DOCS, page).replace(/\.md$/, '').replaceAll('/', '-')
    let n = 0
    for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
      const line = text.slice(0, match.index).split('\n').length
      const file = `${name}-${++n}.ts`
      // `export {}` makes each sample a module: top-level await works and names do not clash between samples.
      writeFileSync(join(OUT, file), `${match[1]}\nexport {}\n`)
      origins.set(file, { page: `docs/${relative(DOCS, page)}`, line })
    }
  }
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      // The repository's own settings, checking only (and with the DOM, for the browser SDK's samples).
      extends: join(ROOT, 'tsconfig.base.json'),
      compilerOptions: {
        lib: ['es2023', 'dom'],
        noEmit: true,
        composite: false,
        declaration: false,
        emitDeclarationOnly: false,
      },
      include: ['*.ts', join(DOCS, '.vitepress', 'samples-context.d.ts')],
    }),
  )
  return origins
}

it('typechecks every TypeScript sample in the docs', { timeout: 120_000 }, async () => {
  const origins = writeSamples()
  expect(origins.size).toBeGreaterThan(20)
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', OUT], { cwd: OUT }).then(
    () => '',
    (failure: { stdout?: string; message: string }) => failure.stdout || failure.message,
  )
  // Point at the Markdown page and line, not at the generated file.
  const report = result.replace(
    /^([\w.-]+\.ts)\((\d+),(\d+)\)/gm,
    (found, file: string, line: string, column) => {
      const origin = origins.get(file)
      return origin ? `${origin.page}:${origin.line + Number(line)}:${column}` : found
    },
  )
  expect(report).toBe('')
})
