#!/usr/bin/env bash
# Issue 5 end to end, loopback only, every server started and stopped here:
#   A. first contact: provisioning report stored, licence delivered (R1)
#   B. a working week of calls and meetings: collector totals = scenario totals
#   C. the same week with the network down for 3 days: totals still exact
#   D. the collector killed and restarted mid-run: nothing lost
#   E. the agent against Debian's own coap-server-openssl: its POSTs accepted
#   F. the agent SIGKILLed at 20 random points and restarted: totals exact
# Usage: report_e2e.sh BIN_DIR SCENARIO
set -uo pipefail
B=$1
SCENARIO=$2
for b in spark-agent sparkflash spark-collector; do
    [ -x "$B/$b" ] || { echo "report_e2e: no $b in $B"; exit 1; }
done
. "$(dirname "$0")/e2e_lib.sh"
PORT=$(free_port)
start_collector "$PORT"

# A. first contact
device FOC2240Y1AA "$PORT"
first_contact FOC2240Y1AA
check "A: licence delivered and accepted" grep -q 'licence seq 1 accepted' FOC2240Y1AA.first.log
check "A: provisioning report acknowledged" grep -q 'provisioning report acknowledged' FOC2240Y1AA.first.log
check "A: collector shows the device (R1)" \
    bash -c "'$B/spark-collector' admin --db c.db show --serial FOC2240Y1AA | grep -q D1000001"

# B. a week
"$B/spark-agent" --flash FOC2240Y1AA.img --clock-start "$START" --clock-rate 0 --scenario "$SCENARIO" \
    --run-for 604800 --drain 10 >B.log 2>&1
check "B: agent exit 0" test $? -eq 0
expect_totals B FOC2240Y1AA "$SCENARIO"

# C. the same week with the network down for three days in the middle
awk '!/"network"/' "$SCENARIO" >week-down.jsonl
printf '%s\n' '{"t":172800,"network":"down"}' '{"t":432000,"network":"up"}' >>week-down.jsonl
sort -t: -k2 -n week-down.jsonl -o week-down.jsonl 2>/dev/null
device FOC2240Y1BB "$PORT"
first_contact FOC2240Y1BB
"$B/spark-agent" --flash FOC2240Y1BB.img --clock-start "$START" --clock-rate 0 \
    --scenario week-down.jsonl --run-for 604800 --drain 10 >C.log 2>&1
check "C: agent exit 0" test $? -eq 0
expect_totals C FOC2240Y1BB week-down.jsonl

# D. collector killed mid-run (SIGKILL) and restarted
device FOC2240Y1CC "$PORT"
first_contact FOC2240Y1CC
"$B/spark-agent" --flash FOC2240Y1CC.img --clock-start "$START" --clock-rate 86400 \
    --scenario "$SCENARIO" --run-for 604800 --drain 15 >D.log 2>&1 &
AG=$!
pids+=("$AG")
sleep 2
kill -KILL "$COLL"
wait "$COLL" 2>/dev/null
sleep 2
start_collector "$PORT"
wait "$AG"
check "D: agent exit 0" test $? -eq 0
expect_totals D FOC2240Y1CC "$SCENARIO"
stop_collector

# F. the agent SIGKILLed at 20 random points of the week, restarted each time
#    from where it died (the scenario resumes); kill points avoid the seconds
#    when a call is running, since a call cut by a power loss is not a call
#    the room made.

start_collector "$PORT"
device FOC2240Y1EE "$PORT"
first_contact FOC2240Y1EE
START_S=$(date -u -d "$START" +%s)
#    Half the kill points fall 3..60 s after something was counted (a call or
#    meeting ended), where a count kept only in RAM would be lost.
kills=$(awk -v seed="${SPARK_KILL_SEED:-$RANDOM}" '
    /"seconds"/ { match($0, /"t":[0-9]+/); t = substr($0, RSTART + 4, RLENGTH - 4) + 0
                  match($0, /"seconds":[0-9]+/); d = substr($0, RSTART + 10, RLENGTH - 10) + 0
                  ends[m++] = t + d
                  if ($0 ~ /"call"/) { busy_from[n] = t - 2; busy_to[n] = t + d + 2; n++ } }
    END { srand(seed); found = 0
          while (found < 20) {
              if (found % 2 == 0) k = 1 + int(rand() * 604000)
              else k = ends[int(rand() * m)] + 3 + int(rand() * 58)
              ok = k < 604700
              for (i = 0; i < n; i++) if (k >= busy_from[i] && k <= busy_to[i]) ok = 0
              for (j = 0; j < found; j++) if (k == pick[j]) ok = 0
              if (ok) pick[found++] = k }
          for (j = 0; j < found; j++) print pick[j] }' "$SCENARIO" | sort -n)
at=0
killed=0
for k in $kills; do
    "$B/spark-agent" --flash FOC2240Y1EE.img --clock-start "@$((START_S + at))" \
        --scenario-start "$START" --scenario "$SCENARIO" --clock-rate 0 \
        --run-for $((604800 - at)) --kill-at $((k - at)) >>F.log 2>&1
    [ $? -eq 137 ] && killed=$((killed + 1))
    at=$k
done
"$B/spark-agent" --flash FOC2240Y1EE.img --clock-start "@$((START_S + at))" \
    --scenario-start "$START" --scenario "$SCENARIO" --clock-rate 0 \
    --run-for $((604800 - at)) --drain 10 >>F.log 2>&1
check "F: last run exit 0" test $? -eq 0
check "F: 20 runs ended by SIGKILL (got $killed)" test "$killed" -eq 20
expect_totals F FOC2240Y1EE "$SCENARIO"
# ids are the primary key, so a record resent after a kill is stored once; a
# count resent under a new id would show as two records covering one hour
overlaps=$(sqlite3 c.db "SELECT COUNT(*) FROM usage a JOIN usage b ON a.serial = b.serial
    AND a.id < b.id AND a.start < b.\"end\" AND b.start < a.\"end\" WHERE a.serial = 'FOC2240Y1EE'")
check "F: no two stored records cover the same time (got $overlaps)" test "$overlaps" = 0
stop_collector

# E. interop: Debian's coap-server-openssl accepts the agent's POSTs
if command -v coap-server-openssl >/dev/null; then
    P2=$(free_port)
    coap-server-openssl -A 127.0.0.1 -p "$P2" -k 0123456789abcdef -d 50 >coap-server.log 2>&1 &
    CS=$!
    pids+=("$CS")
    sleep 0.5
    # its DTLS port is p+1; the PSK is the text key's bytes
    device FOC2240Y1DD "$((P2 + 1))" 30313233343536373839616263646566
    "$B/spark-agent" --flash FOC2240Y1DD.img --clock-start "$START" --clock-rate 0 \
        --scenario "$SCENARIO" --run-for 86400 --drain 10 --log-level debug >E.log 2>&1
    check "E: agent exit 0" test $? -eq 0
    check "E: coap-server-openssl acknowledged usage batches" grep -q 'acknowledged: [1-9]' E.log
    check "E: ... and the provisioning report" grep -q 'provisioning report acknowledged' E.log
    kill -TERM "$CS"
else
    echo "FAIL E: coap-server-openssl missing (package libcoap3-bin)"
    fail=$((fail + 1))
fi

echo "report_e2e: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- server.log"; tail -20 server.log; }
[ "$fail" -eq 0 ]
