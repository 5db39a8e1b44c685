#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite twice:
# the normal build (gcc) and the sanitizer build (clang, ASan + UBSan, with the
# libFuzzer targets). Unit tests, the power-loss sweep, fuzzing for a bounded
# time and the system tests are all CTest tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --workflow --preset default
cmake --workflow --preset asan
