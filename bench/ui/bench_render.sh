#!/usr/bin/env bash
# Screens benchmark (BENCHMARKS.md, "Screens"): time per full-screen render
# at 1920x1080 and 1280x720, heap peak (valgrind massif) and instructions
# (valgrind callgrind) of one process that loads the fonts and draws one
# 1920x1080 return screen. Usage: bench/ui/bench_render.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
cmake --build "$B" --target bench_render >/dev/null
bin=$B/bin/bench_render
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== time per render (median and best of 50; wall clock, noisy machine)"
"$bin" 50 1920x1080
"$bin" 50 1280x720 | tail -n +3

echo "== heap: one process, fonts loaded, every case drawn once at 1920x1080"
valgrind --tool=massif --massif-out-file="$work/massif.out" "$bin" 1 1920x1080 >/dev/null 2>&1
peak=$(grep -E '^mem_heap_B=' "$work/massif.out" | cut -d= -f2 | sort -n | tail -1)
frame=$((1920 * 1080 * 3))
echo "heap peak ${peak} B (the frame buffer alone: ${frame} B)"

echo "== instructions inside ui_render() (callgrind), same run: each case drawn once"
valgrind --tool=callgrind --toggle-collect=ui_render --callgrind-out-file="$work/cg.out" \
    "$bin" 1 1920x1080 >/dev/null 2>&1
total=$(callgrind_annotate "$work/cg.out" 2>/dev/null | grep 'PROGRAM TOTALS' | awk '{print $1}')
echo "${total} instructions for 3 renders (return-de, about-de, grace-en) at 1920x1080"
