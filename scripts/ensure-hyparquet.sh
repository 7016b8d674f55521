#!/usr/bin/env bash
# Installs hyparquet (npm, pinned), the independent Parquet reader the footer tests check field ids with, into
# .cache/hyparquet. Does nothing when the pinned version is already there.
set -euo pipefail
HYPARQUET_VERSION="1.31.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/hyparquet"
entry="$dir/node_modules/hyparquet/package.json"
stamp="$dir/.version"

if [[ -f "$entry" && "$(cat "$stamp" 2>/dev/null)" == "$HYPARQUET_VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "npm is required to install hyparquet (apt-get install -y npm)" >&2; exit 1; }
echo "Installing hyparquet $HYPARQUET_VERSION into $dir ..." >&2
mkdir -p "$dir"
[[ -f "$dir/package.json" ]] || echo '{ "name": "k2-hyparquet-cache", "private": true }' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "hyparquet@$HYPARQUET_VERSION" >&2
[[ -f "$entry" ]] || { echo "hyparquet install finished but $entry is missing" >&2; exit 1; }
echo "$HYPARQUET_VERSION" > "$stamp"
