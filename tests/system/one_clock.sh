#!/usr/bin/env bash
# One simulated clock for every process (scripts/demo.sh in short), loopback
# only, every server started and stopped here: the collector and a room run
# on the same fast simulated clock (--clock-start, --clock-rate,
# --clock-anchor; sim/clock.h) at ten simulated days per real second. The
# room reports each notice of docs/TRIAL_RULES.md at its instant (E - 7 d,
# E - 1 d, E, E + 30 d lapsed, E + 45 d released), raises no clock_ahead
# (a round trip of a real millisecond is 14 simulated minutes, beyond the
# 5-minute slack: the room allows for it), and the collector sees it in the
# same simulated time. A second room whose clock is
# really a simulated year ahead of the collector's still reports
# clock_ahead, and lapses nothing early (R9).
# Usage: one_clock.sh BIN_DIR
set -uo pipefail
B=$1
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector
RATE=864000   # simulated seconds per real second: ten days
LEAD=3        # real seconds (30 simulated days) from the rooms' start to day 0
TOL=43200     # a notice is raised within 12 simulated hours (50 real ms) of its instant
RX_TOL=172800 # and reaches the collector within two simulated days (0.2 real s)
TRIAL_EXP=2026-12-08T00:00:00Z # E: day 0 is E - 7 d
# The technician's day, at real speed: before the rooms come up (day 0 - 30 d),
# since the licence's issue instant is the day it was made (a room whose clock
# is behind that would report clock_rollback).
ADMIN_CLOCK=(--clock-start 2026-09-01T09:00:00Z)
A=FOC2240Y1OC
Y=FOC2240Y1YA # its clock a year ahead
PORT=$(free_port)
device "$A" "$PORT"
device "$Y" "$PORT"

ANCHOR=$(($(date +%s%3N) + LEAD * 1000))
CLOCK=(--clock-rate "$RATE" --clock-anchor "$ANCHOR")
start_collector "$PORT" --clock-start "$START" "${CLOCK[@]}"
RUN=$(((LEAD * RATE / 86400 + 7 + 46) * 86400)) # to E + 46 d
"$B/spark-agent" --flash "$A.img" --clock-start "$START" "${CLOCK[@]}" --run-for "$RUN" \
    --report-interval 86400 --drain 5 >"$A.log" 2>&1 &
AG=$!
pids+=("$AG")
"$B/spark-agent" --flash "$Y.img" --clock-start 2027-12-01T00:00:00Z "${CLOCK[@]}" \
    --run-for "$RUN" --report-interval 86400 --drain 5 >"$Y.log" 2>&1 &
YG=$!
pids+=("$YG")
wait "$AG"
check "room exit 0" test $? -eq 0
wait "$YG"
check "room a year ahead exit 0" test $? -eq 0
stop_collector

q() { sqlite3 c.db "$1"; }
E_S=$(date -u -d "$TRIAL_EXP" +%s)
START_S=$(date -u -d "$START" +%s)
for due in expiring:-7 last-day:-1 expired:0 lapsed:30 released:45; do
    name=${due%%:*} at=$((E_S + ${due#*:} * 86400))
    row=$(q "SELECT t, received_at FROM event WHERE serial = '$A' AND detail = '$name'
               AND kind IN ('notice', 'numbers_released')")
    t=${row%|*} rx=${row#*|}
    check "$name raised at E $(printf %+d "${due#*:}") d, within ${TOL} s (late by $((${t:-0} - at)) s)" \
        test -n "$t" -a "${t:-0}" -ge "$at" -a "${t:-0}" -le $((at + TOL))
    check "$name received in the same simulated time (received - raised: $((${rx:-0} - ${t:-0})) s)" \
        test -n "$rx" -a "${rx:-0}" -ge $((${t:-0} - 300)) -a "${rx:-0}" -le $((${t:-0} + RX_TOL))
done
ahead=$(q "SELECT COUNT(*) FROM event WHERE serial = '$A' AND kind IN ('clock_ahead', 'clock_rollback')")
check "no clock_ahead (nor clock_rollback) from the room on the collector's clock (got $ahead)" \
    test "$ahead" -eq 0
check "its first answer confirmed its wall clock" grep -q "the collector's time confirms" "$A.log"
seen=$(q "SELECT first_seen FROM provisioning WHERE serial = '$A'")
check "the collector saw it first in simulated time, before day 0 ($(date -u -d "@${seen:-0}" +%FT%TZ))" \
    test "${seen:-0}" -ge $((START_S - (LEAD + 1) * RATE)) -a "${seen:-0}" -lt "$START_S"

detail=$(q "SELECT detail FROM event WHERE serial = '$Y' AND kind = 'clock_ahead' LIMIT 1")
check "the room a year ahead reported clock_ahead ($detail)" grep -q "ahead of the collector" <<<"$detail"
first=$(q "SELECT MIN(t) FROM event WHERE serial = '$Y' AND kind = 'notice'")
lapsed=$(q "SELECT t FROM event WHERE serial = '$Y' AND detail = 'lapsed'")
check "its notices follow the collector's time, not its clock (first $(date -u -d "@${first:-0}" +%FT%TZ))" \
    test "${first:-0}" -ge $((E_S - 7 * 86400)) -a "${first:-0}" -lt $((E_S + 86400))
check "it lapsed no earlier than E + 30 d by the collector's time (R9)" \
    test -z "$lapsed" -o "${lapsed:-0}" -ge $((E_S + 30 * 86400))

echo "one_clock: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- $A.log"; grep -E " [WE] |event |confirms" "$A.log" | tail -20
                       echo "--- server.log"; tail -20 server.log; }
[ "$fail" -eq 0 ]
