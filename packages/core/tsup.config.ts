import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/client.ts', 'src/adapters/{node,express,koa,hono,fetch}.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  // `true` would keep dotfiles: a stale .tsbuildinfo makes `tsc -b` skip the .d.ts files after a clean.
  clean: ['.tsbuildinfo'],
  splitting: true,
})
