#!/usr/bin/env bash
# One simulated clock for every process (scripts/demo.sh in short), loopback
# only, every server started and stopped here: the collector and the rooms
# run on the same simulated clock (--clock-start, --clock-rate,
# --clock-anchor; sim/clock.h) at one simulated day per real second (the
# demo's rate), behind a relay that delays every datagram by 10 real ms (a
# round trip of 20 ms is 29 simulated minutes, far beyond the 5-minute
# slack). Each notice of docs/TRIAL_RULES.md is raised at its instant
# (room A: E - 7 d, E - 1 d, E; room B, whose E lies 29 days before day 0:
# E + 30 d lapsed, E + 45 d released) and received in the same simulated time; neither raises
# clock_ahead (the rooms allow for the round trip). A room whose clock is
# really a simulated year ahead still reports clock_ahead, and lapses
# nothing early (R9).
# Usage: one_clock.sh BIN_DIR
set -uo pipefail
B=$1
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector
RATE=86400    # simulated seconds per real second: one day
LEAD=4        # real seconds (4 simulated days) from the rooms' start to day 0: first
              # contact (a random 0-2 s wait, then the handshake) comes before it
DELAY=0.010   # real seconds each datagram waits in the relay, each way
TOL=86400     # a notice is raised within a simulated day (1 real s) of its instant
RX_TOL=172800 # and reaches the collector within two simulated days (2 real s)
DAY0_S=$(date -u -d "$START" +%s)
E_A=$((DAY0_S + 7 * 86400))  # room A's E: expiring at day 0, expired at day 7
E_B=$((DAY0_S - 29 * 86400)) # room B's E: lapsed at day 1, released at day 16
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# The technician's day, at real speed: before room B's E and before the rooms
# come up (a licence's issue instant is the day it was made; a room whose
# clock is behind it would report clock_rollback).
ADMIN_CLOCK=(--clock-start 2026-10-15T09:00:00Z)
A=FOC2240Y1OA
B_=FOC2240Y1OB
Y=FOC2240Y1YA # its clock a year ahead
PORT=$(free_port) # the collector

# The relay in front of it, on a port it picks itself (printed first): each
# datagram, either way, leaves DELAY after it came. It stops by itself after
# 60 s.
python3 - "$PORT" "$DELAY" 60 >relay.port 2>relay.log <<'PY' &
import heapq, select, socket, sys, time
tport, delay, life = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
down.bind(("127.0.0.1", 0))
print(down.getsockname()[1], flush=True)
ups, client_of, queue, n = {}, {}, [], 0
end = time.monotonic() + life
while time.monotonic() < end:
    wait = 0.05 if not queue else max(0.0, min(0.05, queue[0][0] - time.monotonic()))
    ready, _, _ = select.select([down, *ups.values()], [], [], wait)
    for s in ready:
        try:
            data, addr = s.recvfrom(65535)
        except OSError:  # port unreachable: the collector is not (or no longer) there
            continue
        if s is down:
            if addr not in ups:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.connect(("127.0.0.1", tport))
                ups[addr], client_of[u] = u, addr
            heapq.heappush(queue, (time.monotonic() + delay, n, ups[addr], data, None))
        else:
            heapq.heappush(queue, (time.monotonic() + delay, n, down, data, client_of[s]))
        n += 1
    while queue and queue[0][0] <= time.monotonic():
        _, _, s, data, to = heapq.heappop(queue)
        try:
            s.sendto(data, to) if to else s.send(data)
        except OSError:  # as above: a datagram lost, as UDP may
            pass
PY
RELAY_PID=$!
pids+=("$RELAY_PID")
for _ in $(seq 1 50); do [ -s relay.port ] && break; sleep 0.1; done
RELAY=$(head -1 relay.port)
[ -n "$RELAY" ] || { echo "the relay did not start"; cat relay.log; exit 1; }
TRIAL_EXP=$(iso "$E_A") device "$A" "$RELAY"
TRIAL_EXP=$(iso "$E_B") device "$B_" "$RELAY"
TRIAL_EXP=$(iso "$E_A") device "$Y" "$RELAY"

ANCHOR=$(($(date +%s%3N) + LEAD * 1000))
CLOCK=(--clock-rate "$RATE" --clock-anchor "$ANCHOR")
start_collector "$PORT" --clock-start "$START" "${CLOCK[@]}"
RUN=$(((LEAD * RATE / 86400 + 17) * 86400)) # to day 17
room() { # serial clock-start
    "$B/spark-agent" --flash "$1.img" --clock-start "$2" "${CLOCK[@]}" --run-for "$RUN" \
        --report-interval 86400 --drain 5 >"$1.log" 2>&1 &
    pids+=($!)
}
room "$A" "$START"
room "$B_" "$START"
room "$Y" 2027-12-01T00:00:00Z
for p in "${pids[@]: -3}"; do
    wait "$p"
    check "room (pid $p) exit 0" test $? -eq 0
done
stop_collector
kill "$RELAY_PID" 2>/dev/null
wait "$RELAY_PID" 2>/dev/null
check "the relay raised no error ($(tail -1 relay.log))" test ! -s relay.log

q() { sqlite3 c.db "$1"; }
for due in "$A expiring $((E_A - 7 * 86400))" "$A last-day $((E_A - 86400))" "$A expired $E_A" \
           "$B_ lapsed $((E_B + 30 * 86400))" "$B_ released $((E_B + 45 * 86400))"; do
    read -r sn name at <<<"$due"
    row=$(q "SELECT t, received_at FROM event WHERE serial = '$sn' AND detail = '$name'
               AND kind IN ('notice', 'numbers_released')")
    t=${row%|*} rx=${row#*|}
    check "$sn $name at $(iso "$at"), raised within $TOL s (late by $((${t:-0} - at)) s)" \
        test -n "$t" -a "${t:-0}" -ge "$at" -a "${t:-0}" -le $((at + TOL))
    check "$sn $name received in the same simulated time (received - raised: $((${rx:-0} - ${t:-0})) s)" \
        test -n "$rx" -a "${rx:-0}" -ge $((${t:-0} - 300)) -a "${rx:-0}" -le $((${t:-0} + RX_TOL))
done
for sn in "$A" "$B_"; do
    bad=$(q "SELECT COUNT(*) FROM event WHERE serial = '$sn' AND kind IN ('clock_ahead', 'clock_rollback')")
    check "$sn: no clock_ahead (nor clock_rollback) on the collector's clock (got $bad)" test "$bad" -eq 0
    check "$sn: its first answer confirmed its wall clock" grep -q "the collector's time confirms" "$sn.log"
    seen=$(q "SELECT first_seen FROM provisioning WHERE serial = '$sn'")
    check "$sn: the collector saw it first in simulated time, before day 0 ($(iso "${seen:-0}"))" \
        test "${seen:-0}" -ge $((DAY0_S - (LEAD + 1) * RATE)) -a "${seen:-0}" -lt "$DAY0_S"
done
rtt=$(grep -o "round trip [0-9]* ms" "$Y.log" | head -1)
check "the relay's delay is in the round trip: at least 20 real ms = 1728 simulated s ($rtt)" \
    test "$(grep -o '[0-9]*' <<<"${rtt:-0}")" -ge 1728000

detail=$(q "SELECT detail FROM event WHERE serial = '$Y' AND kind = 'clock_ahead' LIMIT 1")
check "the room a year ahead reported clock_ahead ($detail)" grep -q "ahead of the collector" <<<"$detail"
first=$(q "SELECT MIN(t) FROM event WHERE serial = '$Y' AND kind = 'notice'")
check "its notices follow the collector's time, not its clock (first $(iso "${first:-0}"))" \
    test "${first:-0}" -ge $((E_A - 7 * 86400)) -a "${first:-0}" -lt $((E_A + 86400))
expired=$(q "SELECT COUNT(*) FROM event WHERE serial = '$Y' AND detail IN ('lapsed', 'released')")
check "it lapsed nothing by its own clock (R9; got $expired lapse notices)" test "$expired" -eq 0

echo "one_clock: $fail failures"
[ "$fail" -eq 0 ] || for sn in "$A" "$B_" "$Y"; do
    echo "--- $sn.log"; grep -E " [WE] |event |confirms" "$sn.log" | tail -8
done
[ "$fail" -eq 0 ]
