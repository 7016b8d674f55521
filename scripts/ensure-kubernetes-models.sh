#!/usr/bin/env bash
# Installs kubernetes-models (npm, pinned): the Kubernetes API's JSON-schema validators the deployment tests check every
# object deploy/k8s renders with, into .cache/kubernetes-models. Does nothing when the pinned version is already there.
set -euo pipefail
KUBERNETES_MODELS_VERSION="5.1.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/kubernetes-models"
entry="$dir/node_modules/kubernetes-models/package.json"
stamp="$dir/.version"

if [[ -f "$entry" && "$(cat "$stamp" 2>/dev/null)" == "$KUBERNETES_MODELS_VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "npm is required to install kubernetes-models (apt-get install -y npm)" >&2; exit 1; }
echo "Installing kubernetes-models $KUBERNETES_MODELS_VERSION into $dir ..." >&2
mkdir -p "$dir"
[[ -f "$dir/package.json" ]] || echo '{ "name": "k2-kubernetes-models-cache", "private": true }' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "kubernetes-models@$KUBERNETES_MODELS_VERSION" >&2
[[ -f "$entry" ]] || { echo "kubernetes-models install finished but $entry is missing" >&2; exit 1; }
echo "$KUBERNETES_MODELS_VERSION" > "$stamp"
