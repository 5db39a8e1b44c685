#!/usr/bin/env bash
# A provisioned device on the host board: it runs its loop on the simulated
# clock, stops after --run-for or on SIGTERM with exit 0, counts the room's
# usage from the scenario, and a factory reset makes it unprovisioned again.
# Usage: agent_lifecycle.sh SPARK_AGENT SPARKFLASH SCENARIO
set -uo pipefail
agent=$1 flash=$2 scenario=$3
for b in "$agent" "$flash"; do
    [ -x "$b" ] || { echo "agent_lifecycle: no executable at '$b'"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { # label, condition...
    local label=$1; shift
    if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi
}
img=$work/room.img
"$agent" --flash "$img" --serial FOC2240Y1ZZ --clock-rate 0 --run-for 1 >/dev/null 2>&1
"$flash" keygen --out "$work/lic.pem" >/dev/null
"$flash" provision --image "$img" --serial FOC2240Y1ZZ --model "Spark Room Kit" --trial D1000001 \
    --server coaps://127.0.0.1:5684 --licence-pubkey "$work/lic.pem.pub" --region US --locale en \
    --enroll-out "$work/enroll.json" >/dev/null
check "sparkflash provisioned the image" test $? -eq 0

# 1. a working week, stepped as fast as possible: totals equal the scenario's
out=$("$agent" --flash "$img" --clock-start 2026-12-01T00:00:00Z --clock-rate 0 \
    --scenario "$scenario" --run-for $((7 * 86400)) --screen "$work/screen" 2>&1)
code=$?
check "a week ran and ended with exit 0 (got $code)" test "$code" -eq 0
calls=$(grep -c '"call"' "$scenario")
meetings=$(grep -c '"meeting"' "$scenario")
meeting_s=$(grep -o '"meeting":{"seconds":[0-9]*' "$scenario" | awk -F: '{s += $NF} END {print s + 0}')
# No licence has reached this device yet: before activation calling is off
# except emergency numbers (TRIAL_RULES.md), so every ordinary call is blocked.
emergency=$(grep -cE '"to":"(911|112)"' "$scenario")
want="0 calls (0 s), $((calls - emergency)) blocked, $emergency emergency, $meetings meetings ($meeting_s s)"
check "usage counted from the scenario: $want" grep -qF "$want" <<<"$out"
check "the setup state is shown: waiting for the licence" grep -q 'Waiting for the trial licence' <<<"$out"
check "home screen drawn" test -f "$work/screen/current.png"

# 2. SIGTERM at real-time rate: clean stop, exit 0, well before --run-for
"$agent" --flash "$img" --clock-rate 1 --run-for 3600 >"$work/term.log" 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"; check "SIGTERM stops the agent within 5 s" false
else
    wait "$pid"; code=$?
    check "SIGTERM: clean exit 0 (got $code)" test "$code" -eq 0
    check "SIGTERM: agent logged its shutdown" grep -q 'stopping' "$work/term.log"
fi

# 3. factory reset (R9: the only way to start over): unprovisioned again, 78
"$flash" factory-reset --image "$img" --yes >/dev/null 2>&1
"$agent" --flash "$img" --clock-rate 0 --run-for 10 >/dev/null 2>&1
code=$?
check "after a factory reset the agent is unprovisioned again (got $code)" test "$code" -eq 78

echo "agent_lifecycle: $fail failures"
[ "$fail" -eq 0 ]
