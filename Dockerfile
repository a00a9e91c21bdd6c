# syntax=docker/dockerfile:1
# The standalone Monlight stack in one image: `docker run -p 5010-5013:5010-5013 -v monlight:/data monlight`.
# Not built in CI (no container engine there): kept correct by reading; see docs/operations.md.

# --- build: compile better-sqlite3, build every package, drop dev dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: node, the built packages and their production dependencies, nothing else ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MONLIGHT_DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
RUN rm -rf packages/*/src packages/test-utils packages/ui-kit \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# errors, logs, metrics, relay: the original's ports. MONLIGHT_PORT=8080 serves all four on one port instead (set
# it in the environment rather than as `--port`, so that the healthcheck asks the same port).
EXPOSE 5010 5011 5012 5013
# The port the configuration names: MONLIGHT_PORT (one port), else the first of MONLIGHT_PORTS, else 5010.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const e = process.env; const port = e.MONLIGHT_PORT || (e.MONLIGHT_PORTS || '5010').split(',')[0]; fetch(`http://127.0.0.1:${port}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains requests, stops jobs, closes the databases and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "packages/server/dist/cli.js"]
