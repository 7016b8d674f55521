#!/usr/bin/env bash
# Installs s3rver (npm, pinned), the fake S3 server the object-store tests run against, into .cache/s3rver.
# Does nothing when the pinned version is already there.
set -euo pipefail
S3RVER_VERSION="3.7.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/s3rver"
cli="$dir/node_modules/s3rver/bin/s3rver.js"
stamp="$dir/.version"

if [[ -f "$cli" && "$(cat "$stamp" 2>/dev/null)" == "$S3RVER_VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "npm is required to install s3rver (apt-get install -y npm)" >&2; exit 1; }
echo "Installing s3rver $S3RVER_VERSION into $dir ..." >&2
mkdir -p "$dir"
[[ -f "$dir/package.json" ]] || echo '{ "name": "k2-s3rver-cache", "private": true }' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >&2
[[ -f "$cli" ]] || { echo "s3rver install finished but $cli is missing" >&2; exit 1; }
echo "$S3RVER_VERSION" > "$stamp"
