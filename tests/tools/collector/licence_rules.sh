#!/bin/bash
# spark-collector admin licence plans every change with fw_trial (R4, R5, R8,
# R9): what a device would refuse, the collector refuses with the device's
# reason (trial_accept_name), and nothing changes. No server: admin only.
#   licence_rules.sh SPARK_COLLECTOR WORKDIR
. "$(dirname "$0")/admin_lib.sh"
seq_of() { adm show --serial "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["licence"]["seq"])'; }
# expect_refused SERIAL REASON ARGS...: exit 1, REASON on stderr, seq unchanged
expect_refused() {
    local serial=$1 reason=$2 before rc
    shift 2
    before=$(seq_of "$serial")
    adm licence --serial "$serial" "$@" >out.txt 2>err.txt
    rc=$?
    [[ $rc -eq 1 ]] && grep -qF -- "$reason" err.txt && ok ||
        bad "licence $serial $*: exit $rc, want 1 with '$reason': $(cat err.txt)"
    [[ $(seq_of "$serial") == "$before" ]] && ok || bad "licence $serial $*: changed anyway"
}

n=0
for sn in FOC0000GRC1 FOC0000LPS1 FOC0000EXT1; do
    n=$((n + 1))
    adm enroll --serial $sn --psk "00112233445566778899aabbccddee0$n" --trial "D100000$n" \
        --region US >/dev/null || bad "enroll $sn"
done

# R8: in grace (E 29 days ago) a purchase converts.
adm licence --serial FOC0000GRC1 --trial-exp "$(iso $((NOW - 29 * DAY)))" >/dev/null || bad "grace: new"
adm licence --serial FOC0000GRC1 --paid >out.txt 2>&1 && grep -q 'paid seq 2' out.txt && ok ||
    bad "conversion in grace refused: $(cat out.txt)"
# R5: never a trial again.
expect_refused FOC0000GRC1 "trial licence after a paid one (R5)" --add-service webex:2099-01-01

# R9: E 31 days ago: lapsed, final. The device's reason, word for word.
adm licence --serial FOC0000LPS1 --trial-exp "$(iso $((NOW - 31 * DAY)))" \
    --add-service calling:"$(iso $((NOW - 31 * DAY)))" >/dev/null || bad "lapsed: new"
expect_refused FOC0000LPS1 "trial lapsed: final (R9)" --paid
expect_refused FOC0000LPS1 "trial lapsed: final (R9)" --extend

# R4: once, by exactly 30 days; a service that ran to E runs to the new E.
E=$((NOW + 10 * DAY))
adm licence --serial FOC0000EXT1 --trial-exp "$(iso $E)" --add-service "calling:$(iso $E)" \
    --add-service "meetings:$(iso $((E - 5 * DAY)))" >/dev/null || bad "extend: new"
expect_refused FOC0000EXT1 "expiry moved later without an extension (R4)" --trial-exp "$(iso $((E + DAY)))"
expect_refused FOC0000EXT1 "must equal the current expiry + 30 days" --extend --trial-exp "$(iso $((E + DAY)))"
adm licence --serial FOC0000EXT1 --extend >out.txt 2>&1 && grep -qF "expires $(iso $((E + 30 * DAY)))" out.txt &&
    ok || bad "extend: $(cat out.txt)"
adm show --serial FOC0000EXT1 --json >show.json
python3 - "$(iso $((E + 30 * DAY)))" "$(iso $((E - 5 * DAY)))" <<'PY' && ok || bad "services after the extension: $(cat show.json)"
import json, sys
svc = {s["id"]: s["expiry"] for s in json.load(open("show.json"))["licence"]["services"]}
assert svc == {"calling": sys.argv[1], "meetings": sys.argv[2]}, svc
PY
expect_refused FOC0000EXT1 "extension count (R4)" --extend
grep -q 'already extended once' err.txt && ok || bad "no hint: $(cat err.txt)"
# The issue instant is the change's (a conversion made in grace keeps it).
python3 -c 'import json; l = json.load(open("show.json"))["licence"]; assert l["issued"] is not None, l' &&
    ok || bad "no issue instant: $(cat show.json)"

# "Now" is the clock the command is given (a demo's simulated clock), not the
# machine's date: fixed dates plan the same on any day. E = 2026-12-08.
sim() { "$COLL" admin --db "$DB" --clock-start "$1" "${@:2}"; }
sim 2026-11-20T09:00:00Z enroll --serial FOC0000SIM1 --psk 00112233445566778899aabbccddee0f \
    --trial D1000009 --region US >/dev/null || bad "sim: enroll"
adm show --serial FOC0000SIM1 | grep -q 'enrolled      2026-11-20T09:00:0' && ok ||
    bad "enrolled_at not the command's clock: $(adm show --serial FOC0000SIM1 | grep enrolled)"
sim 2026-11-20T09:00:00Z licence --serial FOC0000SIM1 --trial-exp 2026-12-08T00:00:00Z >/dev/null ||
    bad "sim: new trial"
before=$(seq_of FOC0000SIM1)
sim 2027-01-08T00:00:00Z licence --serial FOC0000SIM1 --paid >out.txt 2>err.txt
[[ $? -eq 1 ]] && grep -qF "trial lapsed: final (R9)" err.txt && ok ||
    bad "conversion at E + 31 d (simulated) not refused: $(cat out.txt err.txt)"
[[ $(seq_of FOC0000SIM1) == "$before" ]] && ok || bad "refused conversion changed the licence"
# one simulated day per real second, anchored: E + 29 d is in grace
"$COLL" admin --db "$DB" --clock-start 2027-01-06T00:00:00Z --clock-rate 86400 \
    --clock-anchor "$(date +%s%3N)" licence --serial FOC0000SIM1 --paid >out.txt 2>&1 &&
    grep -q 'paid seq' out.txt && ok || bad "conversion at E + 29 d (simulated) refused: $(cat out.txt)"
# stepped time is the host board's alone; bad values name the option
for opt in "--clock-rate 0" "--clock-rate -1" "--clock-anchor soon" "--clock-start tomorrow"; do
    # shellcheck disable=SC2086
    "$COLL" admin --db "$DB" $opt show --serial FOC0000SIM1 >out.txt 2>err.txt
    [[ $? -eq 2 ]] && grep -qF -- "${opt%% *}" err.txt && ok || bad "admin $opt: $(cat err.txt)"
done
grep -q "stepped time is the host board's alone" <("$COLL" admin --db "$DB" --clock-rate 0 show \
    --serial FOC0000SIM1 2>&1) && ok || bad "--clock-rate 0: no reason given"

echo "licence rules: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
