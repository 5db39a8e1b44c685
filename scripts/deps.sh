#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and tests with, if any are
# missing. Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmbedtls-dev libcjson-dev libcoap3-dev libcoap3-bin
  libcmocka-dev libpng-dev zlib1g-dev libfreetype-dev fonts-dejavu-core
  libsqlite3-dev libqrencode-dev zbar-tools
  openssl valgrind cppcheck clang-format python3 sqlite3 strace
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
