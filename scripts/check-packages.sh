#!/usr/bin/env bash
# The tarballs `changeset publish` would upload: packed as npm packs them (prepack strips the in-repo source
# condition), checked with publint and are-the-types-wrong, then installed into an empty folder where
# `npx monlight` must start the stack. Needs a build (dist) first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=(core errors logs metrics relay server browser node)

for name in "${packages[@]}"; do
  (cd "packages/$name" && npm pack --silent --pack-destination "$work" >/dev/null)
done
for tarball in "$work"/*.tgz; do
  unpacked="$work/unpacked/$(basename "$tarball" .tgz)"
  mkdir -p "$unpacked" && tar xzf "$tarball" -C "$unpacked"
  if [ -e "$unpacked/package/dist/.tsbuildinfo" ] || [ -d "$unpacked/package/src" ]; then
    echo "$(basename "$tarball") ships build leftovers or sources" >&2
    exit 1
  fi
  node -e '
    const manifest = require(process.argv[1])
    const missing = ["repository", "homepage", "bugs", "license", "description"].filter((field) => !manifest[field])
    if (missing.length) { console.error(`${manifest.name}: no ${missing.join(", ")} in the packed package.json`); process.exit(1) }
  ' "$unpacked/package/package.json"
  "$root/node_modules/.bin/publint" "$unpacked/package" --pack false --strict
  # The script-tag bundle is a file for <script src>, not an import: it has no types by design.
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --quiet --exclude-entrypoints ./monlight.min.js
done

app="$work/app"
mkdir -p "$app" && cd "$app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$work"/monlight-{core,errors,logs,metrics,relay,server}-*.tgz
npx --no-install @monlight/server --version >/dev/null
./node_modules/.bin/monlight --port 0 --data-dir ./data > server.log 2>&1 &
server=$!
for _ in $(seq 1 60); do grep -q 'ready in' server.log && break; sleep 0.5; done
url=$(grep -oE 'http://localhost:[0-9]+/' server.log | head -1)
node --input-type=module -e "
  const health = await fetch('${url}errors/health').then((r) => r.json())
  if (health.status !== 'ok') { console.error(health); process.exit(1) }" || { cat server.log >&2; exit 1; }
kill -TERM "$server"
wait "$server"
echo "packages: ${#packages[@]} tarballs pass publint and attw; the server installed from them served ${url} and stopped on SIGTERM"
