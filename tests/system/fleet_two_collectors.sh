#!/usr/bin/env bash
# Issue 14, acceptance (the small version in the test command; the full one
# is scripts/fleet_day.sh): spark-fleetsim's rooms report to two collectors
# on one PostgreSQL server started here; collector A is SIGKILLed mid-run and
# started again later; the rooms carry on through B (the link's state machine
# moves to the next address after a failed handshake) and every record is
# stored exactly once: 0 lost, 0 duplicated, nothing acknowledged that was
# not stored. A licence changed through admin while the rooms observe reaches
# rooms on both collectors (PostgreSQL LISTEN/NOTIFY, not the 10 s
# backstop poll: each collector's log says what found the change).
#
# usage: fleet_two_collectors.sh BIN-DIR [ROOMS [SIM-HOURS [CLOCK-RATE]]]
#   defaults 500 rooms, 2 simulated hours, 240x (30 s of simulated time);
#   SIM-HOURS at least 2 (the licence change and the kill come in the second);
#   START_SPREAD: real seconds over which the rooms start (default 2)
set -uo pipefail
B=$(readlink -f "${1:?usage: $0 BIN-DIR [ROOMS [SIM-HOURS [CLOCK-RATE]]]}")
ROOMS=${2:-500}
HOURS=${3:-2}
RATE=${4:-240}
. "$(dirname "$(readlink -f "$0")")/fleet_lib.sh"

pg_start || exit 1
PA=$(udp_port)
PB=$(udp_port)
SERVE=(--retry-after 2)
"$B/spark-fleetsim" --rooms "$ROOMS" --db "$PG_URI" --enroll --observe >enroll.out 2>&1 ||
    { echo "enroll failed"; cat enroll.out; exit 1; }
start_collector A "$PA" "$PG_URI" "${SERVE[@]}"
start_collector B "$PB" "$PG_URI" "${SERVE[@]}"

# The device's CoAP timing, shortened so a dead collector is noticed within
# seconds: ACK_TIMEOUT 1 s, 2 retransmissions, a 3 s handshake bound.
SIM_S=$((HOURS * 3600))
"$B/spark-fleetsim" --server "127.0.0.1:$PA,127.0.0.1:$PB" --rooms "$ROOMS" --procs 2 \
    --db "$PG_URI" --observe --notify-log notify.log --clock-rate "$RATE" --duration "$SIM_S" \
    --start-spread "${START_SPREAD:-2}" --drain 90 --ack-timeout-ms 1000 --max-retransmit 2 \
    --connect-timeout-ms 3000 --idle-close-ms 600000 --report-every 5 >fleet.out 2>fleet.err &
FLEET=$!
pids+=("$FLEET")
RUN_S=$(python3 -c "print(max(6, $SIM_S / $RATE))")
HOUR_S=$(python3 -c "print(3600 / $RATE)")
at() { # at FRACTION: sleep until FRACTION of the run has passed
    python3 -c "import time; time.sleep(max(0, $T0 + $1 * $RUN_S - time.time()))"
}
T0=$(date +%s.%N)

# A licence change through admin once every room has reported once (and
# observes): every observer of both collectors hears of it (the rooms'
# address lists start at A for even rooms, at B for odd ones).
python3 -c "import time; time.sleep($HOUR_S + 3)"
"$B/spark-collector" admin --db "$PG_URI" licence --serial SIM0000002 --paid >/dev/null
changed=$(date +%s.%N)
# (a change notifies every observer, each reads its licence: 30 s and more
# with many rooms; scripts/fleet_day.sh's 10,000)
for _ in $(seq 1 $((300 + ROOMS / 10))); do
    grep -q '^SIM0000001$' notify.log && grep -q '^SIM0000002$' notify.log && break
    sleep 0.1
done
arrived=$(date +%s.%N)
echo "licence change heard by both rooms after $(python3 -c "print(round($arrived - $changed, 2))") s"
check "licence change reaches a room on B (SIM0000001)" grep -q '^SIM0000001$' notify.log
check "  ... and a room on A (SIM0000002)" grep -q '^SIM0000002$' notify.log
# What found the change is in the collectors' logs: the database's
# notification, not the 10 s backstop poll (a mechanism, not a time).
for c in A B; do
    check "collector $c heard of it through LISTEN/NOTIFY" \
        grep -q "database notification): notifying observers" "$c.log"
done

kill_collector A
echo "collector A killed (SIGKILL) at $(date +%T)"
python3 -c "import time; time.sleep($HOUR_S * 0.6)"
start_collector A "$PA" "$PG_URI" "${SERVE[@]}"
echo "collector A started again at $(date +%T)"
wait "$FLEET"
frc=$?
cat fleet.out
check "spark-fleetsim: every record acknowledged and stored exactly once (exit $frc)" test "$frc" -eq 0
check "0 lost" test "$(result_of fleet.out lost)" = 0
check "0 duplicated" test "$(result_of fleet.out duplicated)" = 0
check "0 acknowledged but not stored" test "$(result_of fleet.out acked_not_stored)" = 0
check "every room's rows are what it sent" test "$(result_of fleet.out mismatched)" = 0
check "records made: every room, $HOURS report(s) or more" \
    test "$(result_of fleet.out generated)" -ge $((ROOMS * HOURS))
check "the kill was felt: requests timed out or sessions were lost" \
    test $(($(result_of fleet.out timeouts) + $(sed -n 's/.* \([0-9]*\) lost with a session/\1/p' fleet.out))) -gt 0
check "rooms handshook again (with B, or A after its restart)" \
    test "$(result_of fleet.out hs_ok)" -gt "$ROOMS"
stop_collector A
stop_collector B
check "collector B stopped cleanly" grep -q "stopping:" B.log
grep -h "stopping:" A.log B.log
echo "fleet with two collectors: $([ $fail -eq 0 ] && echo passed || echo "$fail failed")"
[ $fail -eq 0 ]
