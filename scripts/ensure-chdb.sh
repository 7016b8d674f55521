#!/usr/bin/env bash
# Installs the embedded ClickHouse engine (libchdb.so from the npm package @chdb/lib-linux-x64-gnu, pinned) into
# .cache/chdb, where K2 looks for it by default. Does nothing when the pinned version is already there.
set -euo pipefail
CHDB_PACKAGE="@chdb/lib-linux-x64-gnu"
CHDB_VERSION="26.7.3-stable.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/chdb"
lib="$dir/node_modules/$CHDB_PACKAGE/libchdb.so"
stamp="$dir/.version"

if [[ -f "$lib" && "$(cat "$stamp" 2>/dev/null)" == "$CHDB_VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "npm is required to install chDB (apt-get install -y npm)" >&2; exit 1; }
echo "Installing chDB $CHDB_VERSION (embedded ClickHouse, about 550 MB) into $dir ..." >&2
mkdir -p "$dir"
[[ -f "$dir/package.json" ]] || echo '{ "name": "k2-chdb-cache", "private": true }' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$CHDB_PACKAGE@$CHDB_VERSION" >&2
[[ -f "$lib" ]] || { echo "chDB install finished but $lib is missing" >&2; exit 1; }
echo "$CHDB_VERSION" > "$stamp"
