#!/usr/bin/env bash
# Issue 12 (collector side), acceptance: a partner runs a trial by its number.
# A trial of three rooms (real agents on the host board, real time, against a
# collector on loopback) and a German customer's trial of one room:
#   - `admin trial` lists the rooms with the states and days fw_trial gives,
#     `admin trials` is the customer list (R7);
#   - extend (R4), add-service (R4), keep (R3), convert under A-SPK and under
#     A-WX (R2, R6) each reach every connected room within one Observe round
#     trip (the room accepts the licence and its screen changes), and a room
#     that was offline gets the latest at its first contact;
#   - the second extension (R4), keep for a customer outside the US (R3), a
#     new trial for a customer who pays (R5) and a conversion after grace
#     (R9) are refused with the rule in the message;
#   - usage data of the trial is kept through the conversion (R3);
#   - admin commands run in parallel against the running server lose no
#     update (one transaction each: six services added at once all land,
#     of four extensions at once exactly one does).
# ~60 s, real time.
#   trial_rooms.sh BIN_DIR
set -u
B=$(readlink -f "${1:?usage: $0 BIN_DIR}")
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector
PORT=$(free_port)
NOW=$(date -u +%s)
DAY=86400
E=$((NOW + 5 * DAY)) # the trial ends in 5 days: `expiring` (R7)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
adm() { "$B/spark-collector" admin --db c.db "$@"; }
jq_() { python3 -c "import json, sys; d = json.load(sys.stdin); print(($1))"; } # EXPR, JSON on stdin
secs() { date +%s.%N; }

room() { # serial trial region: factory-fresh and provisioned (enrolled later)
    "$B/spark-agent" --flash "$1.img" --serial "$1" --clock-rate 0 --run-for 1 >/dev/null 2>&1
    "$B/sparkflash" provision --image "$1.img" --serial "$1" --model "Spark Room Kit" --trial "$2" \
        --server "coaps://127.0.0.1:$PORT" --licence-pubkey lic.pem.pub --region "$3" --locale en \
        --enroll-out "$1.json" >/dev/null || { echo "provision $1 failed"; exit 1; }
}
enroll() { adm enroll --from "$1.json" >/dev/null || { echo "enroll $1 failed"; exit 1; }; }
online() { # serial [scenario]: the room runs, on real time, until the test ends
    "$B/spark-agent" --flash "$1.img" --clock-start now --clock-rate 1 --run-for 900 \
        --screen "$1-screen" --report-interval 60 --report-batch 0 ${2:+--scenario "$2"} \
        >"$1.log" 2>&1 &
    pids+=($!)
}
wait_log() { # file regex seconds
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
after_line() { # file regex1 regex2: within 10 s a line matching regex2 follows one matching regex1
    local i
    for ((i = 0; i < 100; i++)); do
        awk -v a="$2" -v b="$3" '$0 ~ a { on = 1; next } on && $0 ~ b { found = 1 } END { exit !found }' "$1" &&
            return 0
        sleep 0.1
    done
    return 1
}
# reached LABEL T0 REGEX ROOM...: each room's log matches REGEX within 10 s of
# T0 (one Observe round trip: the server notices a licence change within a
# second and notifies; without Observe a room would not ask for hours).
reached() {
    local label=$1 t0=$2 re=$3 r took
    shift 3
    for r in "$@"; do
        if wait_log "$r.log" "$re" 10; then
            took=$(awk -v a="$(secs)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
            check "$label: $r has it ($took s after the command)" true
        else
            check "$label: $r has it within 10 s" false
        fi
    done
}
A=FOC2300R001 # home screen: the banner
R=FOC2300R002 # the about screen (INFO pressed): expiry date, services
C=FOC2300R003 # offline until after the add-service
G=FOC2300R004 # a German customer's room
L=FOC2300R005 # a room of a trial that lapsed (never online here)
for r in $A $R $C; do room $r D5000001 US; done
room $G D5000002 DE
room $L D5000003 US
# A: a call and a meeting, for the usage kept through the conversion (R3)
printf '{"t":20,"call":{"to":"+14155550100","seconds":4}}\n{"t":20,"meeting":{"seconds":5}}\n' >a.jsonl
# R: INFO every 50 s keeps the about screen up (it stays 60 s)
for ((t = 1; t < 900; t += 50)); do echo "{\"t\":$t,\"button\":\"info\"}"; done >info.jsonl

# ---- the partner creates the trials; rooms enrolled before and after ------------
enroll $A
enroll $R
check "new-trial: the two rooms enrolled already get its licence" \
    adm new-trial --trial D5000001 --org "Acme Inc" --region US --trial-exp "$(iso $E)" \
    --service calling --service "meetings:$(iso $((NOW + 3 * DAY)))" --webex-site https://acme.webex.com
enroll $C # after: given the trial's licence when enrolled
enroll $G
check "new-trial of a German customer" adm new-trial --trial D5000002 --org "Beispiel GmbH" --region DE \
    --trial-exp "$(iso $((NOW + 20 * DAY)))" --service calling
enroll $L
check "a trial that ended 31 days ago (per serial, as before trials had rows)" \
    adm licence --serial $L --trial-exp "$(iso $((NOW - 31 * DAY)))" --org "Gone Ltd"

start_collector "$PORT"
online $A a.jsonl
online $R info.jsonl
online $G
reached "first contact" "$(secs)" "licence seq 1 accepted \(trial\)" $A $R $G
check "$A shows the expiring banner (R7)" wait_log $A.log "screen: The trial ends in 5 days" 10
check "$R shows the trial's end on its about screen" wait_log $R.log "screen: About this device.*The trial ends on" 10

# ---- admin trial / trials: the states and days, by fw_trial ------------------------
for _ in $(seq 50); do # the rooms' provisioning reports: arrived
    [ "$(adm trial D5000001 --json | jq_ 'sum(e["arrived"] is not None for e in d["endpoints"])')" = 2 ] && break
    sleep 0.2
done
adm trial D5000001 --json >t.json
check "admin trial: 3 rooms, expiring, 5 days, calling full, no return due" python3 - "$A" "$R" "$C" <<'PY'
import json, sys
t = json.load(open("t.json"))
assert (t["org"], t["state"], t["days_left"], t["extension_left"]) == ("Acme Inc", "expiring", 5, True), t
eps = {e["serial"]: e for e in t["endpoints"]}
assert sorted(eps) == sorted(sys.argv[1:4]), eps
for e in eps.values():
    assert (e["state"], e["days_left"], e["calling"], e["rma"]) == ("expiring", 5, "full", False), e
    assert {s["id"]: s["days_left"] for s in e["services"]} == {"calling": 5, "meetings": 3}, e
assert eps[sys.argv[1]]["arrived"] and eps[sys.argv[2]]["arrived"] and eps[sys.argv[3]]["arrived"] is None
assert eps[sys.argv[1]]["sent_seq"] == 1 == eps[sys.argv[1]]["seq"], eps[sys.argv[1]]
PY
adm trials >trials.txt
check "admin trials: the customer list with days left per service (R7)" \
    grep -Eq "^D5000001 +Acme Inc +US +expiring .* 5 d .*calling 5 d, meetings 3 d" trials.txt
check "admin trials --expiring 7: only D5000001" \
    test "$(adm trials --expiring 7 --json | jq_ '[r["trial"] for r in d["trials"]]')" = "['D5000001']"

# ---- extend (R4) -----------------------------------------------------------------
t0=$(secs)
check "extend" adm extend --trial D5000001
reached "extend" "$t0" "licence seq 2 accepted \(trial\)" $A $R
check "$A: after it, the home screen without the trial banner (35 days left)" \
    after_line $A.log "licence seq 2 accepted" "screen: Spark Room Kit [|] Ready for calls"
check "$R: the about screen shows the new end, $(date -u -d "@$((E + 30 * DAY))" '+%-d %B %Y')" \
    wait_log $R.log "screen: About this device.*The trial ends on $(date -u -d "@$((E + 30 * DAY))" '+%-d %B %Y')" 10
adm extend --trial D5000001 >out.txt 2>err.txt
check "second extension refused: exit 1" test $? = 1
check "second extension refused with R4" grep -q "extension count (R4): this trial was already extended once" err.txt

# ---- add-service (R4); the offline room gets the latest at its first contact ----------
t0=$(secs)
check "add-service" adm add-service --trial D5000001 --service training-center --until "$(iso $((E + 20 * DAY)))"
reached "add-service" "$t0" "licence seq 3 accepted" $A $R
check "$R: the about screen lists Training Center, 25 days" \
    after_line $R.log "licence seq 3 accepted" "screen: About this device.*Training Center: 25 days left"
online $C
reached "first contact after two changes" "$(secs)" "licence seq 3 accepted" $C
check "$C: no licence before the latest (seq 1 and 2 never needed)" \
    bash -c "! grep -Eq 'licence seq [12] accepted' $C.log"

# ---- keep (R3): US only ------------------------------------------------------------
t0=$(secs)
check "keep (US customer)" adm keep --trial D5000001
reached "keep" "$t0" "licence seq 4 accepted \(trial, the customer keeps the devices \(R3\)\)" $A $R $C
adm keep --trial D5000002 >out.txt 2>err.txt
check "keep refused outside the US: exit 1" test $? = 1
check "keep refused with R3" grep -q "R3: only US customers may keep the devices; organisation 'Beispiel GmbH' is in DE" err.txt

# ---- parallel admin commands against the running server: no lost update ----------------
for i in 1 2 3 4 5 6; do
    adm add-service --trial D5000002 --service "extra-$i" --until "$(iso $((NOW + 10 * DAY)))" \
        >par-svc-$i.out 2>par-svc-$i.err &
    par[i]=$!
done
for i in 1 2 3 4; do adm extend --trial D5000002 >par-ext-$i.out 2>par-ext-$i.err & pex[i]=$!; done
for i in 1 2 3; do adm trials --json >par-read-$i.out 2>&1 & prd[i]=$!; done
svc_ok=0 ext_ok=0 ext_r4=0 rd_ok=0
for i in 1 2 3 4 5 6; do wait "${par[i]}" && svc_ok=$((svc_ok + 1)); done
for i in 1 2 3 4; do
    if wait "${pex[i]}"; then ext_ok=$((ext_ok + 1)); else grep -q "extension count (R4)" par-ext-$i.err && ext_r4=$((ext_r4 + 1)); fi
done
for i in 1 2 3; do wait "${prd[i]}" && rd_ok=$((rd_ok + 1)); done
check "6 parallel add-service: all done" test $svc_ok = 6
check "4 parallel extend: exactly one done, three refused with R4" test "$ext_ok $ext_r4" = "1 3"
check "3 parallel readers: all answered" test $rd_ok = 3
check "no 'database is locked' anywhere" bash -c "! grep -qi 'locked\|busy' par-*.err par-read-*.out"
adm trial D5000002 --json >t2.json
check "D5000002: 7 services, seq 8 on its room, 7 audit lines of it" python3 - <<'PY'
import json
t = json.load(open("t2.json"))
assert len(t["services"]) == 7 and t["ext"] == 1, t
assert t["endpoints"][0]["seq"] == 8, t["endpoints"][0]
acts = [a["action"] for a in t["audit"]]
assert acts.count("add-service") == 6 and acts.count("extend") == 1, acts
PY
reached "the parallel changes" "$(secs)" "licence seq 8 accepted" $G

# ---- convert under A-SPK (R2, R6); usage kept (R3) -------------------------------------
# $A's first minute closes on the minute (--report-interval 60) and is sent at once
for _ in $(seq 400); do [ "$(adm totals --serial $A --json | jq_ 'd["calls"]')" = 1 ] && break; sleep 0.2; done
before=$(adm totals --trial D5000001 --json | jq_ 'd["calls"], d["call_seconds"], d["meetings"], d["records"]')
check "usage before the conversion: 1 call of 4 s, 1 meeting" bash -c "[[ '$before' == '(1, 4, 1, '* ]]"
t0=$(secs)
adm convert --trial D5000001 --offer A-SPK --plan M3 --webex-site https://acme.webex.com \
    --add-on "WebEx Training Center 200" >convert.txt 2>&1
check "convert A-SPK M3" grep -q "its WebEx site https://acme.webex.com is now the paid site" convert.txt
reached "convert A-SPK" "$t0" "licence seq 5 accepted \(paid, A-SPK M3, the customer keeps" $A $R $C
check "$R: the about screen says paid" after_line $R.log "licence seq 5 accepted" "screen: About this device [|] Paid licence"
after=$(adm totals --trial D5000001 --json | jq_ 'd["calls"], d["call_seconds"], d["meetings"], d["records"]')
check "usage kept through the conversion (R3): $after" python3 -c "
b, a = $before, $after
assert a[:3] == b[:3] and a[3] >= b[3], (b, a)"
for _ in $(seq 50); do
    [ "$(adm trial D5000001 --json | jq_ 'sorted(set(e["reported_state"] for e in d["endpoints"]))')" = "['paid']" ] && break
    sleep 0.2
done
check "the three rooms report paid" \
    test "$(adm trial D5000001 --json | jq_ 'sorted(set(e["reported_state"] for e in d["endpoints"]))')" = "['paid']"

# ---- convert under A-WX: the WebEx part gets a new site (R6) ----------------------------
t0=$(secs)
adm convert --trial D5000002 --offer A-WX --plan C3 --webex-site https://beispiel-neu.webex.com >convert2.txt 2>&1
check "convert A-WX C3: the output says the WebEx part gets a new site" \
    grep -q "the WebEx part gets a NEW site, https://beispiel-neu.webex.com (R6)" convert2.txt
reached "convert A-WX" "$t0" "licence seq 9 accepted \(paid, A-WX C3\)" $G

# ---- R5, R9 -----------------------------------------------------------------------
adm new-trial --trial D5000009 --org "ACME Inc" --region US --trial-exp "$(iso $((NOW + 30 * DAY)))" >out.txt 2>err.txt
check "new trial for a paying customer refused: exit 1" test $? = 1
check "... with R5" grep -q "organisation 'Acme Inc' already pays (trial D5000001.*(R5)" err.txt
adm convert --trial D5000003 --offer A-SPK --plan M1 >out.txt 2>err.txt
check "conversion after grace refused: exit 1" test $? = 1
check "... with R9, the device's reason" grep -q "trial lapsed: final (R9)" err.txt

adm trial D5000001 --json >t.json
check "admin trial: the audit trail of the partner's actions" python3 - "$(id -un)" <<'PY'
import json, sys
t = json.load(open("t.json"))
acts = [(a["action"], a["who"]) for a in t["audit"]]
assert [a for a, _ in acts] == ["new-trial", "enroll", "extend", "add-service", "keep", "convert"], acts
assert {w for _, w in acts} == {sys.argv[1]}, acts
assert t["order"] == {"offer": "A-SPK", "plan": "M3", "add_ons": ["WebEx Training Center 200"],
                      "webex_site": "https://acme.webex.com", "new_site": False,
                      "converted": t["order"]["converted"]}, t["order"]
PY
echo "== admin trials at the end"
adm trials
stop_collector
echo "trial rooms: $fail failed"
[ "$fail" -eq 0 ]
