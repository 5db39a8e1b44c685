#!/usr/bin/env bash
# Issue 10 on the host board, end to end (docs/EMERGENCY.md):
#   A. unprovisioned, corrupted and truncated flash images: 911 and 112 are
#      allowed, other numbers denied, no crash and no exit before the agent
#      is stopped (then 78)
#   B. a lapsed room behind a PBX (prefix 9): 9911 allowed, 5551234 denied,
#      incoming calls let in for the hour after the emergency call, not after
#   C. the lines are released at E + 45 d exactly once across a restart
#   D. no dialled number or caller id appears in any log
# Loopback only; the collector is started here (for the licence) and stopped
# by the trap. Usage: agent_emergency.sh BIN_DIR
set -uo pipefail
B=$1
for b in spark-agent sparkflash spark-collector; do
    [ -x "$B/$b" ] || { echo "agent_emergency: no $b in $B"; exit 1; }
done
# work dir, trap, check, free_port, start/stop_collector, lic.pem
# shellcheck source=e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"
in_log() { grep -qF -- "$2" "$1"; }
not_in_log() { ! grep -qF -- "$2" "$1"; }
count_in() { grep -cF -- "$2" "$1"; }

# ------------------------------------------------------------------ A.
cat >safe.jsonl <<'EOF'
{"t":10,"call":{"to":"911","seconds":30}}
{"t":20,"call":{"to":"112","seconds":30}}
{"t":30,"call":{"to":"5551234","seconds":30}}
{"t":40,"call":{"to":"+4930123456","seconds":30}}
{"t":50,"call":{"to":"1120","seconds":30}}
EOF
safe_run() { # label image
    "$B/spark-agent" --flash "$2" --clock-start 2026-12-01T00:00:00Z --clock-rate 0 \
        --scenario safe.jsonl --run-for 600 >"$1.log" 2>&1
    local code=$?
    check "A $1: stopped after --run-for with 78, no crash (got $code)" test "$code" -eq 78
    check "A $1: 911 allowed" in_log "$1.log" "call 1: allowed (emergency_number)"
    check "A $1: 112 allowed" in_log "$1.log" "call 2: allowed (emergency_number)"
    check "A $1: 5551234 denied" in_log "$1.log" "call 3: denied (emergency_only)"
    check "A $1: +4930123456 denied" in_log "$1.log" "call 4: denied (emergency_only)"
    check "A $1: 1120 (a near miss) denied" in_log "$1.log" "call 5: denied (emergency_only)"
    check "A $1: no exit before it was stopped (at 00:10:00)" \
        grep -q '^2026-12-01T00:10:00Z I agent: stopping (safe mode): 2 calls (60 s), 3 blocked, 2 emergency' "$1.log"
    check "A $1: setup screen says emergency calls work" in_log "$1.log" "Emergency calls work."
    check "A $1: the room saw why its call was denied" in_log "$1.log" "screen: Calling is not available | "
}
safe_run unprovisioned fresh.img # created factory-fresh by the board
size=$(stat -c %s fresh.img)
head -c "$size" /dev/urandom >noise.img
cp fresh.img.secure noise.img.secure
safe_run corrupted noise.img
head -c 100000 /dev/urandom >short.img
cp fresh.img.secure short.img.secure
safe_run truncated short.img
check "A truncated: the board says the image is unusable" in_log truncated.log "storage unusable"

# Real time, no --run-for: still up after 2 s (no exit), stops on SIGTERM.
"$B/spark-agent" --flash fresh.img --clock-rate 1 >alive.log 2>&1 &
AG=$!
pids+=("$AG")
sleep 2
check "A unprovisioned: still running after 2 s" kill -0 "$AG"
kill -TERM "$AG"
wait "$AG"
code=$?
check "A unprovisioned: SIGTERM stops it with 78 (got $code)" test "$code" -eq 78

# ------------------------------------------------------------------ B.
PORT=$(free_port)
NOW=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# E + 45 d falls one hour after now: the room is lapsed at first contact.
E=$((NOW - 45 * 86400 + 3600))
SERIAL=FOC2240Y1EM
"$B/spark-agent" --flash room.img --serial "$SERIAL" --clock-rate 0 --run-for 1 >/dev/null 2>&1
"$B/sparkflash" provision --image room.img --serial "$SERIAL" --model "Spark Room Kit" \
    --trial D1000010 --server "coaps://127.0.0.1:$PORT" --licence-pubkey lic.pem.pub \
    --region US --locale en --dial-prefix 9 --enroll-out enroll.json >/dev/null ||
    { echo "provision failed"; exit 1; }
"$B/spark-collector" admin --db c.db enroll --from enroll.json >/dev/null
"$B/spark-collector" admin --db c.db licence --serial "$SERIAL" --trial-exp "$(iso $E)" >/dev/null
start_collector "$PORT"
for _ in 1 2 3; do # a few real seconds online, as at installation (bounded retries on a busy box)
    "$B/spark-agent" --flash room.img --clock-start "@$NOW" --clock-rate 1 --run-for 3 >>first.log 2>&1
    grep -q "licence seq 1 accepted" first.log && break
done
check "B first contact: licence accepted" in_log first.log "licence seq 1 accepted"
stop_collector

cat >lapsed.jsonl <<'EOF'
{"t":0,"network":"down"}
{"t":10,"call":{"to":"5551234","seconds":60}}
{"t":20,"call":{"to":"9911","seconds":60}}
{"t":120,"incoming":{"from":"","seconds":60}}
{"t":1000,"incoming":{"from":"+15550100","seconds":30}}
{"t":3700,"incoming":{"from":"+15550100","seconds":30}}
EOF
room_run() { # name clock-start run-for: the lapsed room, offline, stepped
    "$B/spark-agent" --flash room.img --clock-start "@$2" --clock-rate 0 \
        --scenario lapsed.jsonl --run-for "$3" >"$1.log" 2>&1
    local code=$?
    check "$1: ran and stopped cleanly (got $code)" test "$code" -eq 0
}
room_run lapsed $((NOW + 60)) 7200
check "B lapsed: calling degraded (R11)" in_log lapsed.log "calling at boot: emergency numbers only"
check "B lapsed: 5551234 denied" in_log lapsed.log "call 1: denied (emergency_only)"
check "B lapsed: 9911 through prefix 9 allowed" in_log lapsed.log "call 2: allowed (emergency_number)"
check "B lapsed: withheld call-back after 100 s let in" \
    in_log lapsed.log "incoming call 3: allowed (callback_window)"
check "B lapsed: call-back after 980 s let in" in_log lapsed.log "incoming call 4: allowed (callback_window)"
check "B lapsed: incoming after 61 min denied" in_log lapsed.log "incoming call 5: denied (incoming_blocked)"
check "B lapsed: counted (2 blocked, 1 emergency)" in_log lapsed.log "2 blocked, 1 emergency"
check "B lapsed: the room saw why" in_log lapsed.log "screen: Calling is not available | "

# ------------------------------------------------------------------ C.
check "C run 1: lines released during the run" in_log lapsed.log "line numbers released (E + 45 d, R11)"
check "C run 1: one numbers_released event" test "$(count_in lapsed.log 'event numbers_released')" -eq 1
check "C run 1: the stack was told" in_log lapsed.log "stack: line numbers released"
room_run restart $((NOW + 7300)) 600
check "C restart: no second numbers_released event" not_in_log restart.log "event numbers_released"
check "C restart: no second release" not_in_log restart.log "line numbers released (E + 45 d"
check "C restart: the stack is told the state again" in_log restart.log "released before this start"
check "C never held again" not_in_log lapsed.log "stack: line numbers held"
check "C never held again (restart)" not_in_log restart.log "stack: line numbers held"

# ------------------------------------------------------------------ D.
logs=(unprovisioned.log corrupted.log truncated.log alive.log first.log lapsed.log restart.log server.log)
for n in 5551234 4930123456 9911 15550100 1120; do
    check "D no log holds $n" bash -c "! grep -l -- '$n' ${logs[*]}"
done
for n in 911 112; do
    check "D no log holds $n as a number" bash -c "! grep -lwE -- '\\+?$n' ${logs[*]}"
done

echo "agent_emergency: $fail failures"
[ "$fail" -eq 0 ]
