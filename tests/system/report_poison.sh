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
for b in spark-agent sparkflash spark-collector; do
    [ -x "$B/$b" ] || { echo "report_poison: no $b in $B"; exit 1; }
done
work=$(mktemp -d)
cd "$work" || exit 1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
START=2026-12-01T00:00:00Z
SERIAL=FOC2240Y1PP
REFUSE=10 # with no events before it, the record of 09:00-10:00 (a call)

"$B/sparkflash" keygen --out lic.pem >/dev/null
"$B/spark-agent" --flash dev.img --serial "$SERIAL" --clock-rate 0 --run-for 1 >/dev/null 2>&1
"$B/sparkflash" provision --image dev.img --serial "$SERIAL" --model "Spark Room Kit" --trial D1000001 \
    --server "coaps://localhost:$PORT" --licence-pubkey lic.pem.pub --region US --locale en \
    --enroll-out enroll.json >/dev/null || { echo "provision failed"; exit 1; }
"$B/spark-collector" admin --db c.db enroll --from enroll.json >/dev/null
"$B/spark-collector" admin --db c.db licence --serial "$SERIAL" --trial-exp 2027-03-01T00:00:00Z >/dev/null

# The collector's clock stands at the room's start, so the two agree (a
# stepped room runs ahead of it, and a server time behind the room's
# confirmed time settles nothing): the room's ids are usage records only.
"$B/spark-collector" serve --db c.db --listen "127.0.0.1:$PORT" --licence-key lic.pem \
    --clock-start "$START" --clock-rate 0 --test-refuse-id "$REFUSE" >server.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do grep -q "listening on" server.log && break; sleep 0.1; done

# installation: a few real seconds online (licence, server time)
"$B/spark-agent" --flash dev.img --clock-start "$START" --clock-rate 1 --run-for 3 >first.log 2>&1
"$B/spark-agent" --flash dev.img --clock-start "$START" --clock-rate 0 --scenario "$SCENARIO" \
    --run-for 604800 --drain 60 >week.log 2>&1
check "agent exit 0" test $? -eq 0
"$B/spark-agent" --flash dev.img --clock-start 2026-12-08T00:00:10Z --clock-rate 0 --run-for 1 \
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
field() { grep -o " $1 [0-9]*" <<<"$kept" | grep -o '[0-9]*$'; }
total() { "$B/spark-collector" admin --db c.db totals --serial "$SERIAL" | awk -v f="$1" '$1 == f {print $2}'; }
sum_of() { grep -o "$1" "$SCENARIO" | grep -o '[0-9]*$' | awk '{s += $1} END {print s + 0}'; }
blocked_or_made() { echo $(($(total calls) + $(total calls_blocked) + $(field calls) + $(field calls_blocked))); }
check "the record kept aside is logged with its counts: ${kept#*kept aside: }" test -n "$kept"
check "calls: collector + kept aside = scenario" test "$(blocked_or_made)" = "$(grep -c '"call"' "$SCENARIO")"
check "meeting seconds: collector + kept aside = scenario" \
    test $(($(total meeting_seconds) + $(field meeting_seconds))) = "$(sum_of '"meeting":{"seconds":[0-9]*')"
check "share seconds: collector + kept aside = scenario" \
    test $(($(total share_seconds) + $(field share_seconds))) = "$(sum_of '"share":{"seconds":[0-9]*')"

refusals=$(grep -c "refused 4.00" server.log)
bytes=$(wc -c <server.log)
echo "measure: $refusals refusals, $bytes bytes of collector log for a week with one refused record"
check "refusals are few (bisection + backoff), got $refusals" test "$refusals" -ge 1 -a "$refusals" -le 8
kill -TERM "${pids[0]}" 2>/dev/null; wait "${pids[0]}" 2>/dev/null

echo "report_poison: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- week.log"; grep -E " [WE] " week.log | tail -20; echo "--- server.log"; tail -20 server.log; }
[ "$fail" -eq 0 ]
