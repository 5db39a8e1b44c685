#!/bin/bash
# spark-collector admin licence plans every change with fw_trial (R4, R5, R8,
# R9): what a device would refuse, the collector refuses with the device's
# reason (trial_accept_name), and nothing changes. No server: admin only.
#   licence_rules.sh SPARK_COLLECTOR WORKDIR
set -u
COLL=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
adm() { "$COLL" admin --db c.db "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date -u +%s)
DAY=86400
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

echo "licence rules: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
