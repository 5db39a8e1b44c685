#!/usr/bin/env bash
# Issue 11, poison records, loopback only, every server started and stopped here:
# the collector refuses one usage record as malformed (4.00, its test aid
# --test-refuse-id); the room sets it aside, reports a record_refused event
# naming it and the collector's reason, and every record of the week behind
# it arrives. Every refusal backs off: the collector sees a handful of
# refusals, not one per loop turn (printed as "measure: ...").
# The device reaches the collector by a host name (localhost).
# Usage: report_poison.sh BIN_DIR SCENARIO
set -uo pipefail
B=$1
SCENARIO=$2
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector
SERIAL=FOC2240Y1PP
REFUSE=10 # with no events before it, the record of 09:00-10:00 (a call)
PORT=$(free_port)
DEVICE_HOST=localhost device "$SERIAL" "$PORT"

# The collector's clock starts at the room's start and runs at real speed
# (a few seconds pass), so the two agree at installation; the stepped room
# then runs ahead of it, and a server time behind the room's confirmed time
# settles nothing: the room's ids are usage records only. (Stepped time,
# --clock-rate 0, is the host board's alone: the collector refuses it.)
start_collector "$PORT" --clock-start "$START" --test-refuse-id "$REFUSE"

first_contact "$SERIAL" # installation: licence, server time
"$B/spark-agent" --flash "$SERIAL.img" --clock-start "$START" --clock-rate 0 --scenario "$SCENARIO" \
    --run-for 604800 --drain 60 >week.log 2>&1
check "agent exit 0" test $? -eq 0
"$B/spark-agent" --flash "$SERIAL.img" --clock-start 2026-12-08T00:00:10Z --clock-rate 0 --run-for 1 \
    --drain 10 >after.log 2>&1

q() { sqlite3 c.db "$1"; }
detail=$(q "SELECT detail FROM event WHERE serial = '$SERIAL' AND kind = 'record_refused'")
check "record_refused event names record $REFUSE and the reason (got '$detail')" \
    grep -qE "^id $REFUSE usage 4\.00: records\[[0-9]+\]\.id: $REFUSE refused" <<<"$detail"
check "the room keeps it aside: queue empty, 1 set aside" grep -q "queue: 0 items, 1 set aside" after.log
next=$(grep -o 'next id [0-9]*' after.log | tail -1 | grep -o '[0-9]*$')
got=$(q "SELECT COUNT(*) FROM (SELECT id FROM usage WHERE serial = '$SERIAL'
                                UNION SELECT id FROM event WHERE serial = '$SERIAL')")
missing=$(q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((next - 1)))
             SELECT group_concat(i) FROM n WHERE i NOT IN (SELECT id FROM usage WHERE serial = '$SERIAL')
                                     AND i NOT IN (SELECT id FROM event WHERE serial = '$SERIAL')")
check "every record but $REFUSE arrived (ids 1..$((next - 1)), stored $got, missing '$missing')" \
    test "$missing" = "$REFUSE"
behind=$(q "SELECT COUNT(*) FROM usage WHERE serial = '$SERIAL' AND id > $REFUSE")
check "a week of records behind it: $behind hourly usage records stored (at least 150)" \
    test "$behind" -ge 150

# totals: what the collector has plus what the room kept aside = the scenario
kept=$(grep "record $REFUSE kept aside" week.log)
# a count of the kept-aside line (0 when the line is missing: that fails its own check)
field() { { grep -o " $1 [0-9]*" <<<"$kept" || true; } | grep -o '[0-9]*$' || echo 0; }
got() { total "$SERIAL" "$1"; }
blocked_or_made() { echo $(($(got calls) + $(got calls_blocked) + $(field calls) + $(field calls_blocked))); }
check "the record kept aside is logged with its counts: ${kept#*kept aside: }" test -n "$kept"
check "calls: collector + kept aside = scenario" test "$(blocked_or_made)" = "$(grep -c '"call"' "$SCENARIO")"
check "meeting seconds: collector + kept aside = scenario" \
    test $(($(got meeting_seconds) + $(field meeting_seconds))) = "$(sum_of '"meeting":{"seconds":[0-9]*' x "$SCENARIO")"
check "share seconds: collector + kept aside = scenario" \
    test $(($(got share_seconds) + $(field share_seconds))) = "$(sum_of '"share":{"seconds":[0-9]*' x "$SCENARIO")"

refusals=$(grep -c "refused 4.00" server.log)
bytes=$(wc -c <server.log)
echo "measure: $refusals refusals, $bytes bytes of collector log for a week with one refused record"
check "refusals are few (bisection + backoff), got $refusals" test "$refusals" -ge 1 -a "$refusals" -le 8
stop_collector

echo "report_poison: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- week.log"; grep -E " [WE] " week.log | tail -20; echo "--- server.log"; tail -20 server.log; }
[ "$fail" -eq 0 ]
