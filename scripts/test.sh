#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite three times:
# the normal build (gcc), the sanitizer build (clang, ASan + UBSan, with the
# libFuzzer targets) and the room board's build for aarch64 (Debian's cross
# gcc at -Os, every test binary run under qemu-aarch64; its qemu system test
# talks to the normal build's spark-collector). Unit tests, the power-loss
# sweep, fuzzing for a bounded time and the system tests are all CTest tests.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --workflow --preset default
cmake --workflow --preset asan
cmake --workflow --preset aarch64
