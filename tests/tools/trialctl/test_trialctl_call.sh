#!/usr/bin/env bash
# trialctl call: the device's calling policy from the support desk
# (docs/EMERGENCY.md). Each case: the arguments, the exit status (0 allowed,
# 1 denied, 2 usage) and, for 0/1, the exact --json verdict.
# Usage: test_trialctl_call.sh TRIALCTL
set -uo pipefail
T=$1
[ -x "$T" ] || { echo "test_trialctl_call: no executable at '$T'"; exit 1; }
pass=0 fail=0
verdict() { # allowed emergency normalised reason
    printf '{"allowed":%s,"emergency":%s,"normalised":"%s","reason":"%s"}' "$@"
}
case_() { # want_exit want_json -- args...
    local want_exit=$1 want_json=$2
    shift 3
    local out code
    out=$("$T" call "$@" --json 2>/dev/null)
    code=$?
    if [ "$code" -ne "$want_exit" ] || { [ "$want_exit" -ne 2 ] && [ "$out" != "$want_json" ]; }; then
        echo "FAIL trialctl call $* --json: exit $code, '$out' (want $want_exit, '$want_json')"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}
E=emergency_number
# the issue's PBX examples, lapsed (the default state)
case_ 0 "$(verdict true true 911 $E)" -- 9911 --region US --dial-prefix 9
case_ 0 "$(verdict true true 911 $E)" -- 9-911 --region US --dial-prefix 9
case_ 0 "$(verdict true true 112 $E)" -- 0112 --region DE --dial-prefix 0
case_ 0 "$(verdict true true 911 $E)" -- 911 --region US --dial-prefix 9   # bare still works
case_ 1 "$(verdict false false 5551234 emergency_only)" -- 95551234 --region US --dial-prefix 9
case_ 1 "$(verdict false false 9911 emergency_only)" -- 9911 --region US   # no prefix provisioned
# near misses
case_ 1 "$(verdict false false 1120 emergency_only)" -- 1120 --region DE
case_ 1 "$(verdict false false '' not_a_number)" -- 9112x --region US --dial-prefix 9
case_ 1 "$(verdict false false 1122 emergency_only)" -- 91122 --region US --dial-prefix 9
# every state
for s in trial expiring grace paid; do
    case_ 0 "$(verdict true false 5551234 full_calling)" -- 555-1234 --region US --state $s
done
for s in lapsed released none unprovisioned; do
    case_ 1 "$(verdict false false 5551234 emergency_only)" -- 555-1234 --region US --state $s
    case_ 0 "$(verdict true true 999 $E)" -- "(999)" --region GB --state $s
done
# region tables: specific when known, every table when not
case_ 1 "$(verdict false false 999 emergency_only)" -- 999 --region US
case_ 0 "$(verdict true true 999 $E)" -- 999 --region XX
case_ 0 "$(verdict true true 112 $E)" -- 112 --region JP   # 112 and 911 everywhere
# incoming: the call-back window, 59:59 in and 60:00 out
case_ 0 "$(verdict true false '' callback_window)" -- "" --region US --incoming --since-emergency 3599
case_ 1 "$(verdict false false '' incoming_blocked)" -- "" --region US --incoming --since-emergency 3600
case_ 1 "$(verdict false false 15550100 incoming_blocked)" -- 15550100 --region US --incoming
case_ 0 "$(verdict true false +15550100 full_calling)" -- +15550100 --region US --incoming --state paid
# usage errors: exit 2
case_ 2 "" -- 911
case_ 2 "" -- 911 --region us
case_ 2 "" -- 911 --region US --dial-prefix 999
case_ 2 "" -- 911 --region US --state lapse
case_ 2 "" -- 911 --region US --since-emergency 5
case_ 2 "" -- 911 --region US --incoming --since-emergency -5
case_ 2 "" -- --region US
case_ 2 "" -- 911 112 --region US
case_ 2 "" -- 911 --region US --bogus
# the human form says the same, and names the state
out=$("$T" call 9-911 --region US --dial-prefix 9 2>&1)
if [ $? -eq 0 ] && grep -q 'ALLOWED' <<<"$out" && grep -q 'normalised  911' <<<"$out" &&
    grep -q 'state       lapsed' <<<"$out"; then pass=$((pass + 1)); else
    echo "FAIL human output: $out"; fail=$((fail + 1)); fi
"$T" call --help | grep -q 'exit status: 0 allowed, 1 denied, 2 bad usage' && pass=$((pass + 1)) ||
    { echo "FAIL --help does not state the exit codes"; fail=$((fail + 1)); }
echo "trialctl call: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
