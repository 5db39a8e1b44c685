#!/bin/bash
# spark-collector admin by trial number (issue 12, collector side), no server:
# every bad input (exit 1, or 2 for usage, with a message naming what is
# wrong, and the database byte for byte unchanged), the partner rules R3
# (keep: US only), R4 (one extension), R5 (no new trial for a paying
# organisation, whatever the case of its name, also through `admin licence`),
# R6 (offers, plans, add-ons, the WebEx site of A-SPK and A-WX orders), R8
# (conversion in grace), R9 (nothing after grace), the states and days of
# `trial` and `trials` (computed by fw_trial), the audit trail, and a
# version 2 database migrated with its trials. < 2 s.
#   trial_admin.sh SPARK_COLLECTOR WORKDIR
# SPARK_TEST_DB=postgresql: the same on a PostgreSQL server (admin_lib.sh),
# but the version 2 database, which is SQLite's.
. "$(dirname "$0")/admin_lib.sh"
if [[ $DB == c.db ]]; then
    dump() { sqlite3 c.db .dump | sha256sum; }
else
    # without the random key of pg_dump's \restrict lines
    dump() {
        pg_as_owner "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U spark -d spark |
            grep -v '^\\\(un\)\?restrict ' | sha256sum
    }
fi
jq_() { python3 -c "import json; d = json.load(open('$1')); print(($2))"; } # FILE EXPR

# expect RC REGEX ARGS...: exit RC, REGEX on stderr, the database unchanged
expect() {
    local want=$1 re=$2 before rc
    shift 2
    before=$(dump)
    adm "$@" >out.txt 2>err.txt
    rc=$?
    if [[ $rc -eq $want ]] && grep -Eq -- "$re" err.txt; then ok; else
        bad "$*: exit $rc (want $want), stderr: $(cat err.txt) (want /$re/)"
    fi
    [[ $(dump) == "$before" ]] && ok || bad "$*: the database changed"
}
# good ARGS...: exit 0, stdout in out.txt
good() { adm "$@" >out.txt 2>err.txt && ok || bad "$*: exit $?: $(cat err.txt)"; }

enroll() { # serial trial region
    adm enroll --serial "$1" --psk "00112233445566778899aabbccddee$(printf %02x $((RANDOM % 256)))" \
        --trial "$2" --region "$3" --model "Spark Room Kit" >/dev/null || bad "enroll $1"
}

E=$((NOW + 5 * DAY))
enroll FOC0000A001 D4000001 US
enroll FOC0000A002 D4000001 US
good new-trial --trial D4000001 --org "Acme Inc" --region US --trial-exp "$(iso $E)" \
    --service calling --service "meetings:$(iso $((NOW + 3 * DAY)))" --webex-site https://acme.webex.com
grep -q '2 endpoint(s) enrolled under it already got its licence' out.txt && ok || bad "new-trial: $(cat out.txt)"
enroll FOC0000A003 D4000001 US # after: issued when enrolled
enroll FOC0000B001 D4000002 DE
good new-trial --trial D4000002 --org "Beispiel GmbH" --region DE --trial-exp "$(iso $((NOW + 20 * DAY)))" \
    --service calling
# R9 and R8 through the per-serial path (a trial made by `admin licence`)
enroll FOC0000C001 D4000003 US
good licence --serial FOC0000C001 --trial-exp "$(iso $((NOW - 31 * DAY)))" --org "Lapsed Ltd"
enroll FOC0000D001 D4000004 US
good licence --serial FOC0000D001 --trial-exp "$(iso $((NOW - 10 * DAY)))" --org "Grace Corp"

# ---- the states and days, by fw_trial ----------------------------------------
good trials --json
cp out.txt trials.json
python3 - "$E" <<'PY' && ok || bad "trials --json: $(cat trials.json)"
import json, sys
t = {r["trial"]: r for r in json.load(open("trials.json"))["trials"]}
a = t["D4000001"]
assert (a["state"], a["days_left"], a["org"], a["region"], a["endpoints"]) == ("expiring", 5, "Acme Inc", "US", 3), a
assert {s["id"]: s["days_left"] for s in a["services"]} == {"calling": 5, "meetings": 3}, a
assert (t["D4000002"]["state"], t["D4000002"]["days_left"]) == ("trial", 20), t["D4000002"]
assert (t["D4000003"]["state"], t["D4000003"]["calling"], t["D4000003"]["rma"]) == ("lapsed", "degraded", True)
assert (t["D4000004"]["state"], t["D4000004"]["grace_days_left"]) == ("grace", 20), t["D4000004"]
# soonest end first, as a partner works through the list (R14)
assert [r["trial"] for r in json.load(open("trials.json"))["trials"]][:2] == ["D4000003", "D4000004"]
PY
good trials --state lapsed
grep -q D4000003 out.txt && ! grep -q D4000001 out.txt && ok || bad "--state lapsed: $(cat out.txt)"
good trials --expiring 3 --json
[[ $(jq_ out.txt '[r["trial"] for r in d["trials"]]') == "['D4000001']" ]] && ok || bad "--expiring 3: $(cat out.txt)"
good trials --expiring 30 --json
[[ $(jq_ out.txt '[r["trial"] for r in d["trials"]]') == "['D4000001', 'D4000002']" ]] && ok ||
    bad "--expiring 30: $(cat out.txt)"
good trial D4000001 --json
cp out.txt t1.json
python3 <<'PY' && ok || bad "trial D4000001: $(cat t1.json)"
import json
t = json.load(open("t1.json"))
eps = t["endpoints"]
assert [e["serial"] for e in eps] == ["FOC0000A001", "FOC0000A002", "FOC0000A003"], eps
for e in eps:
    assert (e["state"], e["days_left"], e["calling"], e["rma"], e["seq"], e["type"]) == ("expiring", 5, "full", False, 1, "trial"), e
    assert e["arrived"] is None and e["model"] == "Spark Room Kit", e
assert t["webex_site"] == "https://acme.webex.com" and t["extension_left"] is True, t
assert "valid" not in t and "serial" not in t and t["type"] == "trial", t  # the trial's own licence
assert [a["action"] for a in t["audit"]] == ["new-trial", "enroll"], t["audit"]
PY
enroll FOC0000F001 D4000010 US # a number nobody created a trial for: enrolled, no licence
good trial D4000010 --json
[[ $(jq_ out.txt 'd["state"], d["endpoints"][0]["state"], d["endpoints"][0]["valid"], d["endpoints"][0]["calling"]') == \
    "('none', 'none', False, 'degraded')" ]] && ok || bad "trial without a licence: $(cat out.txt)"
good trial D4000001 --at "$(iso $((E + 2 * DAY)))" --json # what support will see in two days' time
[[ $(jq_ out.txt 'd["state"], d["grace_days_left"]') == "('grace', 28)" ]] && ok || bad "--at: $(cat out.txt)"

# ---- bad input: exit 1 (2 for usage), a clear message, nothing changed -------------
expect 1 "expected D followed by 1 to 15 digits.*\(R1\)" trial D12X4
expect 1 "expected D followed by" trial X4000001
expect 1 "expected D followed by" extend --trial 4000001
expect 1 "trial D4999999: unknown" trial D4999999
expect 1 "trial D4999999: unknown" extend --trial D4999999
expect 1 "trial D4999999: unknown" keep --trial D4999999
expect 1 "trial D4999999: unknown" convert --trial D4999999 --offer A-SPK --plan M1
expect 1 "trial D4999999: unknown" show --trial D4999999
expect 1 "trial D4999999: unknown" totals --trial D4999999
expect 1 "serial FOC9999999: not enrolled" show --serial FOC9999999
expect 1 "serial FOC9999999: not enrolled" totals --serial FOC9999999
expect 2 "--trial DNNN is required" extend
expect 2 "usage" extend --trial D4000001 --bogus
expect 2 "--serial SN.*--trial DNNN" show --serial FOC0000A001 --trial D4000001
expect 1 "'A-XYZ' is not an offer: expected A-SPK or A-WX" convert --trial D4000001 --offer A-XYZ --plan M1
expect 1 "'M7' is not a plan: expected M1, M2, M3, C1, C2 or C3" convert --trial D4000001 --offer A-SPK --plan M7
expect 1 "'WebEx Meeting Center' is not an add-on" convert --trial D4000001 --offer A-SPK --plan M1 \
    --add-on "WebEx Meeting Center"
expect 1 "'http://acme.webex.com': .*https://" convert --trial D4000001 --offer A-SPK --plan M3 \
    --webex-site http://acme.webex.com
expect 1 "https://" convert --trial D4000001 --offer A-SPK --plan M3 --webex-site acme.webex.com
expect 1 "host name" convert --trial D4000001 --offer A-SPK --plan M3 --webex-site https://
expect 2 "--offer and --plan are required" convert --trial D4000001 --offer A-SPK
expect 2 "--until 'soon'" add-service --trial D4000001 --service training-center --until soon
expect 1 "service: expected 1 to 32 of a-z" add-service --trial D4000001 --service "Training Center" \
    --until "$(iso $((NOW + DAY)))"
expect 1 "not in the future" add-service --trial D4000001 --service tc --until "$(iso $((NOW - DAY)))"
expect 1 "after the trial's end.*R4" add-service --trial D4000001 --service tc --until "$(iso $((E + DAY)))"
expect 1 "org: expected 1 to 64" new-trial --trial D4000009 --org "" --region US --trial-exp 2099-01-01
expect 1 "region: expected" new-trial --trial D4000009 --org X --region us --trial-exp 2099-01-01
expect 1 "https://" new-trial --trial D4000009 --org X --region US --trial-exp 2099-01-01 \
    --webex-site http://x.webex.com
expect 1 "not in the future" new-trial --trial D4000009 --org X --region US --trial-exp 2020-01-01
expect 1 "trial D4000001 exists already" new-trial --trial D4000001 --org X --region US --trial-exp 2099-01-01
expect 1 "organisation 'Acme Inc' is in US, not DE" new-trial --trial D4000009 --org "ACME INC" --region DE \
    --trial-exp 2099-01-01
expect 2 "--state 'bogus'" trials --state bogus
expect 2 "--expiring 'x'" trials --expiring x

# ---- the rules --------------------------------------------------------------------
good extend --trial D4000001
grep -qF "expiry $(iso $E) -> $(iso $((E + 30 * DAY)))" out.txt && ok || bad "extend: $(cat out.txt)"
expect 1 "extension count \(R4\): this trial was already extended once" extend --trial D4000001
expect 1 "R3: only US customers may keep the devices; organisation 'Beispiel GmbH' is in DE" keep --trial D4000002
good keep --trial D4000001
good keep --trial D4000001 # twice: nothing to do, said so
grep -q "already" out.txt && ok || bad "keep twice: $(cat out.txt)"
expect 1 "trial lapsed: final \(R9\)" convert --trial D4000003 --offer A-SPK --plan M1
expect 1 "trial lapsed: final \(R9\)" extend --trial D4000003
expect 1 "trial lapsed: final \(R9\)" add-service --trial D4000003 --service tc --until "$(iso $((NOW + DAY)))"
expect 1 "trial lapsed: final \(R9\)" keep --trial D4000003
# R6: the WebEx site of an order
expect 1 "R6: https://other.webex.com is not the trial's WebEx site \(https://acme.webex.com\)" \
    convert --trial D4000001 --offer A-SPK --plan M3 --webex-site https://other.webex.com
expect 1 "R6: M3 under A-SPK must name the trial's WebEx site URL" \
    convert --trial D4000002 --offer A-SPK --plan M3
expect 1 "R6: under A-WX the WebEx part gets a new site: name its URL" convert --trial D4000002 --offer A-WX --plan C3
expect 1 "R6: under A-WX the trial's site URL https://acme.webex.com cannot be used" \
    convert --trial D4000001 --offer A-WX --plan C3 --webex-site https://acme.webex.com
expect 1 "R6: --webex-site given, but an A-WX order of M1 without a WebEx add-on has no WebEx part" \
    convert --trial D4000002 --offer A-WX --plan M1 --webex-site https://new.webex.com
# R8: in grace a purchase converts.
good convert --trial D4000004 --offer a-spk --plan c1 --add-on room-system
grep -q "A-SPK C1: the trial converts fully (R6)" out.txt && ok || bad "convert in grace: $(cat out.txt)"
good convert --trial D4000001 --offer A-SPK --plan M3 --webex-site https://acme.webex.com \
    --add-on "WebEx Training Center 200"
grep -q "its WebEx site https://acme.webex.com is now the paid site" out.txt && ok || bad "A-SPK: $(cat out.txt)"
good convert --trial D4000002 --offer A-WX --plan C3 --webex-site https://beispiel-neu.webex.com
grep -q "the WebEx part gets a NEW site, https://beispiel-neu.webex.com (R6)" out.txt && ok ||
    bad "A-WX: $(cat out.txt)"
expect 1 "trial D4000001 was converted to paid \(A-SPK M3" convert --trial D4000001 --offer A-SPK --plan M1
expect 1 "was converted to paid.*not extended" extend --trial D4000002
# R5: the organisation pays now; its name in another case is the same customer.
expect 1 "new trial D4000005: organisation 'Acme Inc' already pays \(trial D4000001.*\(R5\)" \
    new-trial --trial D4000005 --org "acme inc" --region US --trial-exp 2099-01-01
enroll FOC0000E001 D4000005 US
expect 1 "organisation 'Acme Inc' already pays.*\(R5\)" licence --serial FOC0000E001 \
    --trial-exp 2099-01-01 --org "Acme Inc"
good new-trial --trial D4000006 --org "Other Org" --region US --trial-exp 2099-01-01 # another customer may

good trial D4000001 --json
cp out.txt t1.json
python3 - "$(id -un)" <<'PY' && ok || bad "after the actions: $(cat t1.json)"
import json, sys
t = json.load(open("t1.json"))
assert t["state"] == "paid" and t["keep"] and t["order"]["offer"] == "A-SPK" and t["order"]["plan"] == "M3", t
assert t["order"]["add_ons"] == ["WebEx Training Center 200"] and not t["order"]["new_site"], t["order"]
for e in t["endpoints"]:
    assert (e["state"], e["keep"], e["seq"], e["offer"]) == ("paid", True, 4, "A-SPK M3"), e
    assert e["site"] == "https://acme.webex.com" and e["expiry"] is None and e["valid"], e
acts = [(a["action"], a["who"]) for a in t["audit"]]
assert [a for a, _ in acts] == ["new-trial", "enroll", "extend", "keep", "convert"], acts
assert all(w == sys.argv[1] for _, w in acts), acts
PY
good trial D4000002 --json
[[ $(jq_ out.txt 'd["order"]["new_site"], d["order"]["webex_site"], d["endpoints"][0]["offer"]') == \
    "(True, 'https://beispiel-neu.webex.com', 'A-WX C3')" ]] && ok || bad "A-WX recorded: $(cat out.txt)"
good show --trial D4000001 --json
[[ $(jq_ out.txt 'len(d["endpoints"]), d["endpoints"][2]["licence"]["type"]') == "(3, 'paid')" ]] && ok ||
    bad "show --trial: $(cat out.txt)"
good totals --trial D4000001 --json
[[ $(jq_ out.txt 'd["trial"], d["endpoints"], d["records"]') == "('D4000001', 3, 0)" ]] && ok ||
    bad "totals --trial: $(cat out.txt)"
good trial D4000001
grep -q "organisation  Acme Inc (US)" out.txt && grep -q "^audit" out.txt && ok || bad "trial (text): $(cat out.txt)"

# ---- a version 2 database: its trials get their rows, from the licences ---------------
[[ $DB == c.db ]] || { echo "trial admin: $PASS passed, $FAIL failed"; [[ $FAIL -eq 0 ]]; exit; }
rm -f v2.db*
sqlite3 v2.db <<'SQL'
CREATE TABLE device (serial TEXT PRIMARY KEY, psk_identity TEXT NOT NULL UNIQUE, psk BLOB NOT NULL,
  trial TEXT NOT NULL, region TEXT NOT NULL, keep_devices INTEGER NOT NULL,
  model TEXT NOT NULL DEFAULT '', enrolled_at INTEGER NOT NULL, last_contact INTEGER);
CREATE TABLE licence (serial TEXT PRIMARY KEY REFERENCES device(serial), org TEXT NOT NULL,
  typ TEXT NOT NULL CHECK (typ IN ('trial','paid')), trial_exp INTEGER, ext INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL, iat INTEGER, updated_at INTEGER NOT NULL);
CREATE TABLE licence_service (serial TEXT NOT NULL REFERENCES device(serial), id TEXT NOT NULL,
  exp INTEGER NOT NULL, PRIMARY KEY (serial, id)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('licence_version', 3);
INSERT INTO device VALUES ('FOC0000V201', 'FOC0000V201', x'00112233445566778899aabbccddeeff', 'D4000007',
  'US', 1, 'Spark Room Kit', 1700000000, NULL);
INSERT INTO licence VALUES ('FOC0000V201', 'Old Customer', 'trial', 4102444800, 0, 2, 1700000000, 1700000000);
INSERT INTO licence_service VALUES ('FOC0000V201', 'calling', 4102444800);
PRAGMA user_version = 2;
SQL
"$COLL" admin --db v2.db trial D4000007 --json >out.txt 2>err.txt && ok || bad "v2 database: $(cat err.txt)"
[[ $(jq_ out.txt 'd["org"], d["state"], d["endpoints"][0]["keep"], d["endpoints"][0]["seq"]') == \
    "('Old Customer', 'trial', True, 2)" ]] && ok || bad "v2 migrated: $(cat out.txt)"
[[ $(sqlite3 v2.db 'PRAGMA user_version') == 3 ]] && ok || bad "v2: user_version $(sqlite3 v2.db 'PRAGMA user_version')"

echo "trial admin: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
