#!/usr/bin/env bash
# Issue 11: record ids across a device's life, loopback only. A room reports a
# working week, is factory-reset and provisioned again under the same serial
# (the documented way to start over, R9), and reports a second week: its
# record ids start at 1 again, in a new provisioning generation. Every record
# of both lives must be at the collector: totals = twice the scenario, two
# generations, and the ids of the two lives overlap (so the test really has
# the collision that used to drop the second life's records).
# Usage: reprovision_e2e.sh BIN_DIR SCENARIO
set -uo pipefail
B=$1
SCENARIO=$2
for b in spark-agent sparkflash spark-collector; do
    [ -x "$B/$b" ] || { echo "reprovision_e2e: no $b in $B"; exit 1; }
done
. "$(dirname "$0")/e2e_lib.sh"
SN=FOC2240Y1RP
PORT=$(free_port)
start_collector "$PORT"
START_S=$(date -u -d "$START" +%s)

queued() { # items still in the device's report queue
    "$B/sparkflash" show --image "$SN.img" --json |
        python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["records"] if r["name"] == "report-queue"))'
}
gen_of() { "$B/sparkflash" show --image "$SN.img" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["provisioning"]["gen"])'; }
life() { # n clock-start: one week of the scenario, drained to the collector
    first_contact "$SN" "$2"
    "$B/spark-agent" --flash "$SN.img" --clock-start "$2" --clock-rate 0 --scenario "$SCENARIO" \
        --run-for 604800 --drain 10 >"life$1.log" 2>&1
    check "life $1: agent exit 0" test $? -eq 0
    check "life $1: nothing left in the device's queue" test "$(queued)" = 0
}

# Life 1. The trial ends within the first week, so both lives queue events
# (expiry notices, grace) beside their usage records.
device "$SN" "$PORT"
"$B/spark-collector" admin --db c.db licence --serial "$SN" --trial-exp 2026-12-05T00:00:00Z >/dev/null
G1=$(gen_of)
life 1 "$START"
expect_totals "life 1" "$SN" "$SCENARIO"

# Factory reset and provisioning again, same serial (new PSKs, enrolled again)
"$B/sparkflash" factory-reset --image "$SN.img" --yes >reset.log 2>&1
check "factory reset exit 0" test $? -eq 0
rm -f "$SN.json"
"$B/sparkflash" provision --image "$SN.img" --serial "$SN" --model "Spark Room Kit" --trial D1000001 \
    --server "coaps://127.0.0.1:$PORT" --licence-pubkey lic.pem.pub --region US --locale en \
    --enroll-out "$SN.json" >prov2.log 2>&1
check "provisioned again exit 0" test $? -eq 0
"$B/spark-collector" admin --db c.db enroll --from "$SN.json" >/dev/null
G2=$(gen_of)
check "a new generation ($G1 -> $G2)" test "$G2" -gt "$G1"

# Life 2: a week later (trusted time never runs backwards across the reset)
life 2 "@$((START_S + 8 * 86400))"

expect_totals "both lives" "$SN" "$SCENARIO" 2
check "two generations at the collector" test "$(total "$SN" generations)" = 2
# The generation the room runs on, as the collector knows it: from the
# enrollment record and from the room's own /v1/prov report.
"$B/spark-collector" admin --db c.db show --serial "$SN" --json >show.json
check "enrollment and provisioning report of generation $G2 at the collector" python3 -c '
import json, sys
d = json.load(open("show.json"))
sys.exit(not (d["gen"] == int(sys.argv[1]) and d["provisioning"]["gen"] == int(sys.argv[1])))' "$G2"
check "admin show says the generation" \
    bash -c "'$B/spark-collector' admin --db c.db show --serial $SN | grep -q '^generation    $G2\$'"
both=$(sqlite3 c.db "SELECT COUNT(*) FROM usage a JOIN usage b ON a.serial = b.serial
    AND a.id = b.id AND a.gen = $G1 AND b.gen = $G2 WHERE a.serial = '$SN'")
check "the lives' ids overlap ($both shared ids), and both copies are kept" test "$both" -gt 0
ev_logged=$(cat life1.log life2.log "$SN".first.log 2>/dev/null | grep -c ' event [a-z_]*: ')
check "events of both generations stored" \
    test "$(sqlite3 c.db "SELECT COUNT(DISTINCT gen) FROM event WHERE serial = '$SN'")" = 2
check "every event of both lives stored ($ev_logged logged)" \
    test "$(total "$SN" events)" = "$ev_logged"
stop_collector

echo "reprovision_e2e: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- server.log"; tail -20 server.log; }
[ "$fail" -eq 0 ]
