import { defineConfig } from 'vitepress'

// The documentation site: plain Markdown in docs/, built by `npm run docs:build` (CI) with local search and no
// external assets, so it works offline and behind a firewall.
export default defineConfig({
  title: 'Monlight',
  description:
    'Error tracking, logs, metrics and a browser relay: self-hosted, library-first, in TypeScript.',
  // Links end in .html: the built site then works from any static file server (python -m http.server, nginx
  // without rewrite rules), where clean URLs would answer 404.
  cleanUrls: false,
  lastUpdated: false,
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Packages', link: '/packages/server' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Overview', link: '/' },
          { text: 'Getting started', link: '/getting-started' },
          { text: 'Configuration', link: '/configuration' },
          { text: 'Operations', link: '/operations' },
          { text: 'Several instances on PostgreSQL', link: '/postgres' },
          { text: 'Migrating from the original', link: '/migrating' },
          { text: 'Python apps', link: '/python' },
          { text: 'Sentry SDKs', link: '/sentry' },
          { text: 'Source maps', link: '/source-maps' },
          { text: 'OpenTelemetry, Loki, Prometheus', link: '/otel-loki-prometheus' },
        ],
      },
      {
        text: 'Packages',
        items: [
          { text: '@monlight/server', link: '/packages/server' },
          { text: '@monlight/errors', link: '/packages/errors' },
          { text: '@monlight/logs', link: '/packages/logs' },
          { text: '@monlight/metrics', link: '/packages/metrics' },
          { text: '@monlight/relay', link: '/packages/relay' },
          { text: '@monlight/node', link: '/packages/node' },
          { text: '@monlight/browser', link: '/packages/browser' },
          { text: '@monlight/core', link: '/packages/core' },
        ],
      },
      {
        text: 'Adapters',
        items: [
          { text: 'node:http', link: '/adapters/node-http' },
          { text: 'Express', link: '/adapters/express' },
          { text: 'Koa', link: '/adapters/koa' },
          { text: 'Hono', link: '/adapters/hono' },
          { text: 'fetch runtimes', link: '/adapters/fetch' },
        ],
      },
      { text: 'Reference', items: [{ text: 'Benchmarks', link: '/benchmarks' }] },
    ],
  },
})
