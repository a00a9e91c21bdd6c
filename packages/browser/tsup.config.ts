import { defineConfig } from 'tsup'
import { sharedOptions } from './src/build-options.js'

const esbuildOptions = (options: { mangleProps?: RegExp; tsconfig?: string; tsconfigRaw?: unknown }) => {
  options.mangleProps = sharedOptions.mangleProps
  // esbuild takes one or the other; the raw one is what the size test measures.
  delete options.tsconfig
  options.tsconfigRaw = sharedOptions.tsconfigRaw
}

export default defineConfig([
  {
    // ESM in one file: bundlers tree-shake it (`sideEffects: false`), so apps keep only the features they import.
    entry: ['src/index.ts'],
    format: 'esm',
    target: sharedOptions.target,
    platform: sharedOptions.platform,
    esbuildOptions,
    // `true` would keep dotfiles: a stale .tsbuildinfo makes `tsc -b` skip the .d.ts files after a clean.
    clean: ['.tsbuildinfo'],
  },
  {
    // The script-tag bundle, global `MonlightSDK`.
    entry: { 'monlight.min': 'src/iife.ts' },
    format: 'iife',
    target: sharedOptions.target,
    platform: sharedOptions.platform,
    esbuildOptions,
    minify: true,
    outExtension: () => ({ js: '.js' }),
  },
])
