import type { BuildOptions } from 'esbuild'

/**
 * Build-time only (excluded from tsc and from the package). esbuild options shared by the package build
 * (tsup.config.ts) and the size test, so the test measures what is published.
 *
 * The members of the internal hub and transport are renamed to short names: they are not public API, and their
 * names would otherwise cost ~80 bytes gzipped. Never list a name that is also a payload key, a config option or a
 * DOM member (`metrics`, `send`, `config`, `type`…): every property of that name in the bundle would be renamed.
 */
export const MANGLE_PROPS =
  /^(captureEvent|captureThrown|listen|patch|cleanup|onHide|crumb|crumbs|session|transport|active|metricBuffer|schedule|drain|beacon)$/

export const sharedOptions = {
  target: 'es2020',
  platform: 'browser',
  mangleProps: MANGLE_PROPS,
  // tsconfig's `strict` would prefix the script-tag bundle with "use strict": bytes for nothing, as the code
  // behaves the same in either mode.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
} satisfies BuildOptions
