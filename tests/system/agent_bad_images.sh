#!/usr/bin/env bash
# Foundation acceptance: spark-agent on an unprovisioned or garbage flash image
# prints a clear error, stays up in its safe mode (emergency calls only,
# docs/EMERGENCY.md; tests/system/agent_emergency.sh checks the calls) until
# --run-for, then exits 78 (EX_CONFIG); it never crashes.
# Usage: agent_bad_images.sh SPARK_AGENT [ITERATIONS]
set -uo pipefail
agent=$1
iterations=${2:-300}
[ -x "$agent" ] || { echo "agent_bad_images: no executable at '$agent'"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
img=$work/dev.img

run_agent() { # image -> sets $code and $out
    out=$("$agent" --flash "$1" --clock-rate 0 --run-for 1 --screen "$work/screen" 2>&1)
    code=$?
}
expect_78() { # label
    if [ "$code" -ne 78 ]; then
        echo "FAIL $1: exit $code, expected 78"; echo "$out" | tail -5; fail=$((fail + 1))
    elif ! grep -qiE 'not provisioned|provisioning record|flash image' <<<"$out"; then
        echo "FAIL $1: exit 78 but no clear message:"; echo "$out" | tail -5; fail=$((fail + 1))
    fi
}

# 1. factory-fresh device (created by the board): setup screen, 78
run_agent "$img"
expect_78 "factory-fresh image"
[ -f "$img.secure" ] || { echo "FAIL: no secure file beside a new image"; fail=$((fail + 1)); }
[ -f "$work/screen/current.png" ] || { echo "FAIL: setup screen not drawn"; fail=$((fail + 1)); }
grep -q 'not provisioned' <<<"$out" || { echo "FAIL: fresh device does not say 'not provisioned'"; fail=$((fail + 1)); }

size=$(stat -c %s "$img" 2>/dev/null || echo 0)
[ "$size" -gt 0 ] || { echo "FAIL: the agent made no flash image"; exit 1; }
cp "$img" "$work/fresh"
# 2. random images of the right size, same secure element
for i in $(seq 1 "$iterations"); do
    case $((i % 4)) in
        0) head -c "$size" /dev/urandom >"$img" ;;                       # all noise
        1) head -c "$size" /dev/zero >"$img" ;;                          # all zero
        2) { head -c 16384 /dev/urandom; head -c $((size - 16384)) /dev/zero | tr '\0' '\377'; } >"$img" ;;
        3) cp "$work/fresh" "$img"
           # erased image with random bytes sprinkled at random offsets
           for _ in 1 2 3 4 5 6 7 8; do
               printf '%b' "\\x$(printf %02x $((RANDOM % 256)))" |
                   dd of="$img" bs=1 seek=$((RANDOM * 16 % size)) conv=notrunc status=none
           done ;;
    esac
    run_agent "$img"
    expect_78 "random image $i (kind $((i % 4)))"
    [ "$fail" -gt 5 ] && break
done

# 3. an image of the wrong size is refused with a clear message, no crash
head -c 1000 /dev/urandom >"$img"
run_agent "$img"
expect_78 "truncated image"

echo "agent_bad_images: $iterations random images tried, $fail failures"
[ "$fail" -eq 0 ]
