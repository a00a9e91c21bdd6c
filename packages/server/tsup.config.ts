import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  // `true` skips dotfiles: a stale dist/.tsbuildinfo would then make `tsc -b` skip writing the .d.ts files.
  clean: ['.tsbuildinfo'],
  splitting: true,
  // An optional dependency: tsup externalises dependencies and peers only, and bundling its native binding fails.
  external: ['better-sqlite3'],
})
