#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and tests with, if any are
# missing. Idempotent; needs root (or sudo) only when something is missing.
#
# Two sets: the host's (amd64: build, tests, tools, packaging) and the room
# board's target libraries (Debian multiarch :arm64 -dev packages, found by the
# aarch64 preset through PKG_CONFIG_LIBDIR). The arm64 architecture is added to
# dpkg first when missing, and apt-get update then runs so apt knows its
# packages (a fresh Debian 12 has only amd64 lists).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmbedtls-dev libcjson-dev libcoap3-dev libcoap3-bin
  libcmocka-dev libpng-dev zlib1g-dev libfreetype-dev fonts-dejavu-core
  libsqlite3-dev libqrencode-dev zbar-tools postgresql libpq-dev
  openssl valgrind cppcheck clang-format python3 sqlite3 strace
  # the room board: TPM 2.0 (ESYS + the socket TPM the tests start), systemd
  libtss2-dev swtpm swtpm-tools libsystemd-dev systemd
  # aarch64: Debian's cross toolchain and user-mode emulator; packaging
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user dpkg-dev help2man
  # benchmarks: the room agent over a simulated week (bench/aarch64/room_week_rss.sh)
  faketime
)
# The same libraries for the room board's architecture (arm64).
ARM64_PACKAGES=(
  libc6-dev:arm64 libmbedtls-dev:arm64 libcjson-dev:arm64 libcoap3-dev:arm64
  libcmocka-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64 libfreetype-dev:arm64
  libsqlite3-dev:arm64 libqrencode-dev:arm64 libssl-dev:arm64
  libtss2-dev:arm64 libsystemd-dev:arm64
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
need_root() {
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
    echo "deps: need root or sudo to $1" >&2
    exit 1
  fi
}

added_arch=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  need_root "add the arm64 architecture (dpkg --add-architecture arm64)"
  echo "deps: adding the arm64 architecture for the room board's libraries"
  $SUDO dpkg --add-architecture arm64
  added_arch=1
fi

missing=()
for p in "${PACKAGES[@]}" "${ARM64_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
total=$((${#PACKAGES[@]} + ${#ARM64_PACKAGES[@]}))
if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: all $total Debian packages present"
  exit 0
fi

need_root "install: ${missing[*]}"
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Always after adding an architecture: without it apt knows no :arm64 package.
$SUDO apt-get update -q
[ "$added_arch" -eq 0 ] || echo "deps: package lists now include arm64"
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
