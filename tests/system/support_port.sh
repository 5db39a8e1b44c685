#!/usr/bin/env bash
# Issue 12, the room answers support (docs/SUPPORT.md), end to end on the
# host board, loopback only, every server started here and stopped by the
# trap:
#   A. trialctl device against the running agent matches trialctl licence on
#      the same token (the room's /support/licence) at the same instant (the
#      room's "at"), member for member in JSON and line for line in text
#   B. interop: Debian's coap-client-openssl reads /support/state and
#      /.well-known/core with the support PSK; openssl s_client -dtls1_2
#      -psk ... -psk_identity support completes a handshake; the uplink's
#      PSK (with its identity, or with "support") and other identities are
#      refused, by coap-client, s_client and trialctl alike
#   C. bad input: unknown paths 4.04, methods other than GET 4.05, a request
#      with a body 4.13, malformed CoAP inside the DTLS session (s_client
#      sends garbage records): the port answers the next request as before
#   D. the agent's closing line counts what it saw; no PSK in any log
#   S. spark-collector admin support-psk writes the room's support PSK to a
#      file (0600) for trialctl, never to the terminal, with an audit line
#      (stderr and the trial's audit trail), and not at all when the audit
#      trail cannot be written
# Usage: support_port.sh BIN_DIR
set -uo pipefail
B=$1
# shellcheck source=e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector trialctl
for t in coap-client-openssl openssl python3; do
    command -v "$t" >/dev/null || { echo "support_port: $t missing (scripts/deps.sh)"; exit 1; }
done
SERIAL=FOC2240Y1SP
PORT=$(free_port)
SPORT=$(free_port)
support_device "$SERIAL" "$PORT" DE
# E four days after the start: the room is in its last week (R7), one
# service ends earlier
"$B/spark-collector" admin --db c.db licence --serial "$SERIAL" --trial-exp 2026-12-05T00:00:00Z \
    --add-service meetings:2026-12-03T00:00:00Z --org "Example GmbH" >/dev/null
UPLINK_HEX=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["psk"])' "$SERIAL.json")

# ------------------------------------------------------------------ S.
# support's copy of the key: from the collector, to a file, never the terminal
"$B/spark-collector" admin --db c.db support-psk --serial "$SERIAL" --out room.psk \
    >psk.out 2>psk.err
check "S admin support-psk: exit 0" test $? -eq 0
check "S the file holds the room's support PSK" cmp -s room.psk support.psk
check "S the file is mode 0600" test "$(stat -c %a room.psk)" = 600
check "S the key is not printed" bash -c "! grep -qi '$KEYHEX' psk.out psk.err"
check "S an audit line says who took which room's key, when" \
    grep -qE "audit: support PSK of $SERIAL \(trial D1000001\) written to room.psk by [^ ]+ at 20" psk.err
"$B/spark-collector" admin --db c.db trial D1000001 --json >trial.json 2>&1
check "S the trial's audit trail has it: support-psk, who, the room, where to; not the key" \
    python3 - "$(id -un)" "$SERIAL" "$KEYHEX" <<'PY'
import json, sys
t = json.load(open("trial.json"))
a = [x for x in t["audit"] if x["action"] == "support-psk"]
assert len(a) == 1, t["audit"]
assert (a[0]["who"], a[0]["serial"], a[0]["detail"]) == (sys.argv[1], sys.argv[2], "support PSK written to room.psk"), a
assert a[0]["at"].startswith("20"), a
assert sys.argv[3] not in open("trial.json").read().lower()
PY
# no key without its audit line: the audit table refuses a row here
sqlite3 c.db "CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'test'); END;"
"$B/spark-collector" admin --db c.db support-psk --serial "$SERIAL" --out y.psk >out.txt 2>err.txt
rc=$?
check "S the audit trail cannot be written: exit 1, said so, no key file (exit $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'the key is not handed out' err.txt && [ ! -e y.psk ]"
sqlite3 c.db "DROP TRIGGER no_audit;"
"$B/spark-collector" admin --db c.db support-psk --serial FOC0000NONE --out x.psk 2>err.txt
rc=$?
check "S an unknown serial: exit 1, said so, no file (exit $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'not enrolled' err.txt && [ ! -e x.psk ]"
"$B/spark-collector" admin --db c.db support-psk --serial "$SERIAL" >out.txt 2>&1
rc=$?
check "S without --out: usage, exit 2, no key printed (exit $rc)" \
    bash -c "[ $rc -eq 2 ] && ! grep -qi '$KEYHEX' out.txt"
start_collector "$PORT" --clock-start "$START" --clock-rate 1

"$B/spark-agent" --flash "$SERIAL.img" --clock-start "$START" --clock-rate 1 --run-for 120 \
    --support-listen "127.0.0.1:$SPORT" >agent.log 2>&1 &
AG=$!
pids+=("$AG")
for _ in $(seq 1 100); do grep -q "licence seq 1 accepted" agent.log && break; sleep 0.1; done
check "the agent opened its support port" grep -q "support port on 127.0.0.1:$SPORT" agent.log
check "the room took its licence from the collector" grep -q "licence seq 1 accepted" agent.log
ROOM=coaps://127.0.0.1:$SPORT
coap() { # args...: coap-client-openssl with the support identity and key, bounded
    timeout 20 coap-client-openssl -B 5 -u support -k "$KEY" "$@"
}

# ------------------------------------------------------------------ A.
"$B/trialctl" device "$ROOM" --psk-file room.psk --json >device.json 2>device.err
check "A trialctl device exit 0" test $? -eq 0
coap "$ROOM/support/licence" >licence.json 2>coap.err
python3 - "$SERIAL" >token <<'PY' 2>/dev/null
import json, sys
print(json.load(open("licence.json"))["token"])
PY
check "A the room's /support/licence holds a token" test -s token
AT=$(python3 -c 'import json; print(json.load(open("device.json"))["at"])' 2>/dev/null)
"$B/trialctl" licence token --pubkey lic.pem.pub --serial "$SERIAL" --trial D1000001 --at "$AT" \
    --json >licence-view.json
check "A trialctl licence on the room's token at the room's instant $AT: valid" test $? -eq 0
python3 - >compare.txt 2>&1 <<'PY'
import json
dev = json.load(open("device.json"))
lic = json.load(open("licence-view.json"))
diff = {k: (lic[k], dev.get(k, "(absent)")) for k in lic if dev.get(k, "(absent)") != lic[k]}
print("members of trialctl licence:", len(lic), "different:", diff)
assert not diff and len(lic) >= 20
assert dev["state"] == "expiring" and dev["days_left"] == 4 and dev["calling"] == "full"
assert [s["id"] for s in dev["services"]] == ["meetings"] and dev["services"][0]["days_left"] == 2
assert dev["model"] == "Spark Room Kit" and dev["time_source"] == "collector"
assert dev["confirmed"] is not None and dev["queue_depth"] >= 0
PY
check "A trialctl device and trialctl licence agree on every member ($(head -c 300 compare.txt))" \
    grep -q "different: {}" compare.txt
"$B/trialctl" device "$ROOM" --psk-file support.psk >device.txt
"$B/trialctl" licence token --pubkey lic.pem.pub --serial "$SERIAL" --trial D1000001 \
    --at "$(awk '$1 == "at" {print $2}' device.txt)" >licence.txt
check "A the text: the licence's lines stand in the room's answer as they are" \
    test "$(sed -n '2,$p' licence.txt)" = "$(sed -n '2,/^  service/p' device.txt | sed -n "1,$(($(wc -l <licence.txt) - 1))p")"
check "A the text: the room's own lines follow" grep -q "^  time      .*(from: collector)" device.txt
check "A the room says it is expiring, 4 days left" grep -q "banner    trial ends in 4 days" device.txt

# ------------------------------------------------------------------ B.
coap "$ROOM/support/state" >state.json 2>coap.err
check "B coap-client-openssl reads /support/state" \
    python3 -c 'import json; d=json.load(open("state.json")); assert d["serial"] == "'"$SERIAL"'"'
coap "$ROOM/.well-known/core" >core.txt 2>>coap.err
check "B coap-client-openssl reads /.well-known/core (RFC 6690)" \
    grep -q '^</support/state>;ct=50;rt="spark.support.state";title="trial state",</support/licence>;ct=50' core.txt
sclient() { # psk-hex identity [seconds]: an s_client handshake, closed at once (stdin is empty)
    timeout "${3:-15}" openssl s_client -dtls1_2 -connect "127.0.0.1:$SPORT" -psk "$1" -psk_identity "$2" \
        </dev/null 2>&1
}
sclient "$KEYHEX" support >sclient-ok.txt
check "B openssl s_client -dtls1_2 -psk_identity support: handshake completes" \
    grep -qE "Cipher is [A-Z0-9-]*PSK" sclient-ok.txt
sclient "$UPLINK_HEX" "$SERIAL" >sclient-uplink.txt
check "B the uplink PSK with its identity is refused on the support port" \
    grep -q "unknown psk identity" sclient-uplink.txt
sclient "$UPLINK_HEX" support 5 >sclient-wrongkey.txt # the right key takes well under 1 s
check "B the uplink PSK under the identity 'support' does not complete a handshake" \
    bash -c '! grep -qE "Cipher is [A-Z0-9-]*PSK" sclient-wrongkey.txt'
UPLINK_KEY_FILE=uplink.psk
printf '%s\n' "$UPLINK_HEX" >"$UPLINK_KEY_FILE"
"$B/trialctl" device "$ROOM" --psk-file "$UPLINK_KEY_FILE" --timeout 4 >/dev/null 2>tc-uplink.err
check "B trialctl device with the uplink PSK: refused, exit 1" test $? -eq 1
timeout 20 coap-client-openssl -B 3 -u "$SERIAL" -k "$KEY" "$ROOM/support/state" >other-id.txt 2>&1
check "B coap-client with another identity reads nothing" bash -c '! grep -q serial other-id.txt'
"$B/trialctl" device "coaps://127.0.0.1:$PORT" --psk-file support.psk --timeout 5 >/dev/null 2>tc-coll.err
check "B trialctl device against the collector's port (not a room): exit 1" test $? -eq 1
"$B/trialctl" device "$ROOM" >/dev/null 2>&1
check "B trialctl device without --psk-file: usage, exit 2" test $? -eq 2

# ------------------------------------------------------------------ C.
code_of() { # coap-client args...: the response code it printed (4.04, ...), or "none"
    local out
    out=$(coap "$@" 2>&1)
    grep -oE '^[245]\.[0-9]{2}' <<<"$out" | head -1 || true
}
check "C GET /support/nothing: 4.04" test "$(code_of "$ROOM/support/nothing")" = "4.04"
check "C GET /v1/licence (the collector's path): 4.04" test "$(code_of "$ROOM/v1/licence")" = "4.04"
for m in put post delete fetch; do
    check "C ${m^^} /support/state: 4.05" test "$(code_of -m "$m" -e x "$ROOM/support/state")" = "4.05"
done
head -c 4000 /dev/zero | tr '\0' x >big.txt
check "C GET /support/state with a 4000-byte body: 4.13" \
    test "$(code_of -f big.txt "$ROOM/support/state")" = "4.13"
# malformed CoAP inside an authenticated DTLS session: whatever s_client reads
# from stdin goes out as application data records
{
    printf '\x40'                       # a header cut short
    sleep 0.3; printf '\xff\xff\xff\xff\xff\xff\xff\xff'  # version 3, options past the end
    sleep 0.3; head -c 900 /dev/urandom
    sleep 0.3; printf '\x48\x01\x00\x01'  # a token length of 8 and no token
    sleep 0.5
} | timeout 10 openssl s_client -dtls1_2 -connect "127.0.0.1:$SPORT" -psk "$KEYHEX" \
    -psk_identity support -quiet >garbage.txt 2>&1
check "C after malformed CoAP the agent is still running" kill -0 "$AG"
"$B/trialctl" device "$ROOM" --psk-file support.psk --json >after.json
check "C ... and answers /support/state as before" test $? -eq 0

# ------------------------------------------------------------------ D.
kill -TERM "$AG"
wait "$AG"
check "D agent exit 0" test $? -eq 0
line=$(grep "support port: " agent.log | tail -1)
echo "   ${line#*support: }"
check "D the closing line counts 4.04s, 4.05s and a 4.13" \
    grep -qE "support port: [0-9]+ requests \([0-9]+ answered, [2-9] not found, [4-9] wrong method, [1-9] with a body" <<<"$line"
check "D it counts the refused identities" grep -qE "[2-9] identities refused" <<<"$line"
check "D no support PSK in any log" bash -c "! grep -qiE '$KEYHEX|$KEY' agent.log server.log"
check "D no uplink PSK in any log" bash -c "! grep -qi '$UPLINK_HEX' agent.log server.log"
stop_collector

echo "support_port: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- agent.log"; grep -vE "screen:" agent.log | tail -25; cat device.err coap.err 2>/dev/null | tail -5; }
[ "$fail" -eq 0 ]
