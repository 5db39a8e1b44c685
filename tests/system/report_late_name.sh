#!/usr/bin/env bash
# Issue 11, names resolve when they are used, loopback only, every server
# started and stopped here: a room provisioned with the collector's host name
# boots while that name does not resolve yet (a room that boots before its
# network, or a collector that moved). The name starts resolving while the
# agent runs; the agent's next session start looks it up again and the room
# reports: provisioning, licence, every hour of usage. The failed lookups are
# backed off and logged once. The name's first address (::1) has no
# collector: the handshake there fails and the next attempt takes the next
# address (127.0.0.1), as with a dual-stack "localhost".
#
# The name database is the host board's --hosts FILE test aid (hosts(5)
# format, read at every lookup): no root, no /etc/hosts, no DNS server; the
# agent's own lookup-at-session-start path is the one a room takes.
# Usage: report_late_name.sh BIN_DIR
set -uo pipefail
B=$1
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector
RATE=720 # simulated seconds per real second: 4 h 10 min in about 21 s
NAME=collector.spark.test
SERIAL=FOC2240Y1NN
PORT=$(free_port)
DEVICE_HOST=$NAME device "$SERIAL" "$PORT"
start_collector "$PORT" --clock-start "$START" --clock-rate "$RATE"

# a call in each of the first four hours
printf '%s\n' '{"t":600,"call":{"to":"+4930123456","seconds":60}}' \
    '{"t":4200,"call":{"to":"+4930123456","seconds":60}}' \
    '{"t":7800,"call":{"to":"+4930123456","seconds":60}}' \
    '{"t":11400,"call":{"to":"+4930123456","seconds":60}}' >room.jsonl
echo "# $NAME is not known yet" >hosts
"$B/spark-agent" --flash "$SERIAL.img" --hosts hosts --clock-start "$START" --clock-rate "$RATE" \
    --scenario room.jsonl --run-for 15000 --report-batch 3600 --drain 15 >agent.log 2>&1 &
AG=$!
pids+=("$AG")
sleep 9 # the name does not resolve for the first seconds: lookups fail, back off
printf '%s\n' "::1 $NAME" "127.0.0.1 $NAME" >>hosts
wait "$AG"
check "agent exit 0" test $? -eq 0

failed=$(grep -c "cannot resolve '$NAME'" agent.log)
again=$(grep "'$NAME' resolves again" agent.log)
lookups=$(grep -o "after [0-9]* failed lookup" <<<"$again" | grep -o '[0-9]*')
check "the unresolved name was logged once (got $failed)" test "$failed" -eq 1
check "it failed more than once before it resolved (got ${lookups:-none})" test "${lookups:-0}" -ge 2
check "the agent says the name resolves again" test -n "$again"
check "the handshake with its first address failed, the next one was taken" \
    grep -q "handshake with \[::1\]:$PORT failed" agent.log
prov=$(sqlite3 c.db "SELECT licence_state FROM provisioning WHERE serial = '$SERIAL'")
check "the room reported: its provisioning report stored (R1), licence '$prov'" test -n "$prov"
rows=$(sqlite3 c.db "SELECT COUNT(*) FROM usage WHERE serial = '$SERIAL'")
check "every hour's usage arrived (got $rows records, want at least 4)" test "$rows" -ge 4
calls=$(sqlite3 c.db "SELECT SUM(calls) + SUM(calls_blocked) FROM usage WHERE serial = '$SERIAL'")
check "the four calls are counted at the collector (got ${calls:-0})" test "${calls:-0}" -eq 4
stop_collector

echo "report_late_name: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- agent.log"; grep -vE "screen:|call " agent.log | tail -20; }
[ "$fail" -eq 0 ]
