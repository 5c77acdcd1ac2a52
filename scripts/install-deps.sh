#!/usr/bin/env bash
# Installs the Debian packages Squall builds and tests with. Idempotent: packages
# already present are skipped, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  rapidjson-dev libfmt-dev libcli11-dev
  clang-14 libclang-rt-14-dev llvm-14 clang-format-14
  python3 iproute2 procps
  etcd-server etcd-client nftables libfaketime openssh-server openssh-client
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "squall: missing packages: ${missing[*]}" >&2
  echo "squall: run this script as root (or install them with apt-get) and retry" >&2
  exit 1
fi

echo "squall: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
