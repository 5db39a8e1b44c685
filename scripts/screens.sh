#!/usr/bin/env bash
# Redraws the pictures in docs/screens/ (every screen, English and German,
# 1280x720) with spark-screens. They are the golden images of the test
# screens_golden: run this on purpose when a screen's text or look changes,
# look at the result (git diff shows which pictures changed), and commit it
# with the change. docs/SCREENS.md says more.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target spark-screens
rm -f docs/screens/*.png
build/bin/spark-screens --out docs/screens --size 1280x720
