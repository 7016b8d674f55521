#!/usr/bin/env bash
# Makes sure this machine has what K2 needs, installing what is missing: the .NET SDK must already be there
# (Debian does not package it), apt packages are installed with apt-get, and chDB with npm.
#   scripts/ensure-prerequisites.sh run    what `k2 run` needs
#   scripts/ensure-prerequisites.sh test   what the whole test suite needs
set -euo pipefail
purpose="${1:-run}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "K2 needs the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian)." >&2
  exit 1
fi

apt_packages=()
command -v npm >/dev/null || apt_packages+=(npm)
if [[ "$purpose" == "test" ]]; then
  # PostgreSQL: the catalog and schedule tests start servers of their own from its binaries (initdb + pg_ctl, no service).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_packages+=(postgresql)
  # Apache Avro for Python reads the Avro manifests K2 writes (for the system interpreter, /usr/bin/python3).
  /usr/bin/python3 -c 'import avro' 2>/dev/null || apt_packages+=(python3-avro)
  # Chromium: the browser tests drive Debian's build headless through Playwright, whose own browser download is never used.
  command -v chromium >/dev/null || apt_packages+=(chromium)
  # promtool (Debian's prometheus package): the metrics tests lint /metrics with it. Where systemd runs, the package also
  # starts its own server on port 9090, which the tests do not use (`systemctl disable --now prometheus` stops it).
  command -v promtool >/dev/null || apt_packages+=(prometheus)
  # kubectl renders deploy/k8s (`kubectl kustomize`) for the deployment tests. This machine kind comes with kubectl 1.32
  # (kustomize 5.5); Debian's own kubernetes-client is 1.20, whose kustomize 2.0 is too old, so it is not installed here.
  # Without it those tests fail and say why; every other test still runs.
  if ! command -v kubectl >/dev/null; then
    echo "The deployment tests need kubectl 1.21 or newer (kubectl kustomize); it is not on PATH, so they will fail." >&2
  fi
fi

if ((${#apt_packages[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "Installing ${apt_packages[*]} with apt-get ..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >&2
fi

"$root/scripts/ensure-chdb.sh"
if [[ "$purpose" == "test" ]]; then
  "$root/scripts/ensure-hyparquet.sh"
  "$root/scripts/ensure-s3rver.sh"
  "$root/scripts/ensure-kubernetes-models.sh"
fi
