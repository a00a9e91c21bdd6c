import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@monlight/source'] },
  ssr: { resolve: { conditions: ['@monlight/source'] } },
  test: { name: 'browser', testTimeout: 20_000, hookTimeout: 30_000 },
})
