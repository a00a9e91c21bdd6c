#!/usr/bin/env node
// Builds the web UI of the package in the current directory: src/ui/app.ts (+ the CSS it imports) bundled and
// minified into dist/ui/app.js and dist/ui/app.css, src/ui/index.html copied beside them. No CDN, no runtime deps.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const source = join(process.cwd(), 'src/ui')
const out = join(process.cwd(), 'dist/ui')
if (!existsSync(join(source, 'app.ts')))
  throw new Error(`no UI to build: ${join(source, 'app.ts')} is missing`)

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: { app: join(source, 'app.ts') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  conditions: ['@monlight/source'],
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(join(source, 'index.html'), join(out, 'index.html'))
