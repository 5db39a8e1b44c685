#!/usr/bin/env bash
# System test of spark-collector on loopback, driven by Debian's own CoAP
# client (coap-client-openssl, libcoap3-bin): usage idempotency, every
# refusal (each followed by a check that nothing was stored and the server
# still answers), the licence token checked by trialctl, observe after a
# licence change, persistence across a restart.
#
# usage: test_collector_system.sh SPARK-COLLECTOR SPARK-LICENCE TRIALCTL
# SPARK_TEST_DB=postgresql: the same on a PostgreSQL server the test starts
# (tests/lib/pg_lib.sh) instead of a SQLite file; SPARK_SERVE_ARGS: more
# serve options (the PostgreSQL run answers every report separately).
set -uo pipefail
COLL=$(readlink -f "${1:?usage: $0 SPARK-COLLECTOR SPARK-LICENCE TRIALCTL}")
LIC=$(readlink -f "${2:?}")
TCTL=$(readlink -f "${3:?}")
CLIENT=${COAP_CLIENT:-coap-client-openssl}
command -v "$CLIENT" >/dev/null || { echo "SKIP: $CLIENT not installed"; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/collector-test.XXXXXX")
SERVER_PID=
. "$(dirname "$(readlink -f "$0")")/../../lib/pg_lib.sh"
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    pg_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

SERIAL=ABC12345
# coap-client 4.3.1 takes the PSK as text: use a printable key, enroll its hex.
KEY=sparkcollectortestkey0123456789
KEY_HEX=$(printf %s "$KEY" | od -An -tx1 | tr -d ' \n')
DB=$WORK/c.db
if [[ ${SPARK_TEST_DB:-sqlite} == postgresql ]]; then
    pg_start || exit 1
    DB=$PG_URI
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() {
    PORT=$(free_port)
    # shellcheck disable=SC2086
    "$COLL" serve --db "$DB" --listen "127.0.0.1:$PORT" --licence-key key.pem ${SPARK_SERVE_ARGS:-} \
        >>server.log 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on 127.0.0.1:$PORT" server.log && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start" >&2; cat server.log >&2; exit 1
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    local rc=$?
    SERVER_PID=
    [[ $rc -eq 0 ]] && ok || bad "server exit status $rc after SIGTERM"
}

# coap METHOD PATH [CLIENT-ARGS...]: response (code line and payload) in out.txt
coap() {
    local m=$1 p=$2
    shift 2
    timeout 20 "$CLIENT" -B 4 -m "$m" "$@" "coaps://127.0.0.1:$PORT$p" >out.txt 2>&1
}
post() { # post PATH BODY-FILE [IDENTITY [KEY]]
    coap post "$1" -t 50 -u "${3:-$SERIAL}" -k "${4:-$KEY}" -f "$2"
}
expect() { # expect REGEX WHAT
    if grep -Eq -- "$1" out.txt; then ok; else bad "$2: expected /$1/"; sed 's/^/    /' out.txt >&2; fi
}
totals() { "$COLL" admin --db "$DB" totals --serial $SERIAL --json; }

usage_rec() { # usage_rec ID CALLS
    printf '{"id":%s,"start":1700000000,"end":1700003600,"calls":%s,"call_seconds":600,"calls_blocked":1,"emergency_calls":0,"meetings":2,"meeting_seconds":1800,"share_seconds":120,"people_peak":4,"uptime_seconds":3600}' "$1" "$2"
}

# --- setup ------------------------------------------------------------------
"$LIC" keygen --out key.pem --pubout pub.pem >/dev/null || { echo "keygen failed" >&2; exit 1; }
"$COLL" admin --db "$DB" enroll --serial $SERIAL --psk "$KEY_HEX" --trial D1000001 --region US \
    >out.txt 2>&1 && ok || bad "enroll"
"$COLL" admin --db "$DB" enroll --serial OTHER999 --psk "$KEY_HEX" --trial D1000002 --region DE \
    >out.txt 2>&1 && ok || bad "enroll second device"
start_server

# --- usage: stored, acknowledged, idempotent ----------------------------------
printf '{"serial":"%s","records":[%s,%s]}' $SERIAL "$(usage_rec 1 3)" "$(usage_rec 2 5)" >u12.json
post /v1/usage u12.json
expect '"ack":\[1,2\]' "first usage POST"
T1=$(totals)
[[ $T1 == *'"records":2,"calls":8,'* ]] && ok || bad "totals after first POST: $T1"
post /v1/usage u12.json
expect '"ack":\[1,2\]' "same usage POST again"
[[ $(totals) == "$T1" ]] && ok || bad "totals changed after a duplicate POST: $(totals)"
printf '{"serial":"%s","records":[%s,%s]}' $SERIAL "$(usage_rec 2 5)" "$(usage_rec 3 7)" >u23.json
post /v1/usage u23.json
expect '"ack":\[2,3\]' "overlapping usage POST"
T2=$(totals)
[[ $T2 == *'"records":3,"calls":15,'* ]] && ok || bad "totals after overlap: $T2"

# --- refusals: code, nothing stored, server keeps serving ---------------------
refused() { # refused REGEX WHAT: response matches, totals unchanged, server alive
    expect "$1" "$2"
    [[ $(totals) == "$T2" ]] && ok || bad "$2: totals changed"
    kill -0 "$SERVER_PID" 2>/dev/null && ok || bad "$2: server died"
}
printf '{"serial":"%s","records":[%s]}' $SERIAL "$(usage_rec 9 1)" >u9.json
post /v1/usage u9.json $SERIAL wrongwrongwrongwrongwrongwrong00
refused 'cannot send|handshake|alert|decrypt' "wrong PSK"
! grep -q '"ack"' out.txt && ok || bad "wrong PSK got an answer"
post /v1/usage u9.json NOBODY99
refused 'unknown psk identity|cannot send' "unknown identity"
! grep -q '"ack"' out.txt && ok || bad "unknown identity got an answer"
post /v1/usage u9.json OTHER999
refused '^4\.03' "payload serial != identity"
printf '{"serial":"%s","records":[' $SERIAL >bad.json
post /v1/usage bad.json
refused '^4\.00' "malformed JSON"
printf '{"serial":"%s"}' $SERIAL >bad.json
post /v1/usage bad.json
refused '^4\.00.*records: missing' "missing records"
printf '{"serial":"%s","records":[{"id":"x"}]}' $SERIAL >bad.json
post /v1/usage bad.json
refused '^4\.00.*records\[0\]\.id' "wrong type"
python3 -c "import sys; sys.stdout.write('{\"serial\":\"$SERIAL\",\"records\":[],\"pad\":\"' + 'x'*9000 + '\"}')" >big.json
post /v1/usage big.json
refused '^4\.13' "oversized body"
coap post /v1/usage -t 0 -u $SERIAL -k "$KEY" -f u9.json
refused '^4\.15' "text/plain content format"
grep -q 'refused 4.03' server.log && grep -q 'refused 4.13' server.log && ok ||
    bad "refusals not logged"
grep -q "unknown PSK identity 'NOBODY99'" server.log && ok || bad "unknown identity not logged"

# --- events, provisioning ----------------------------------------------------
printf '{"serial":"%s","events":[{"id":1,"t":1700000000,"kind":"notice","detail":"E-7d"},{"id":2,"t":1700000001,"kind":"rma_shown"},{"id":3,"t":1700000002,"kind":"rma_labels_requested","detail":"new return labels requested on the room screen"}]}' $SERIAL >ev.json
post /v1/events ev.json
expect '"ack":\[1,2,3\]' "events POST"
printf '{"serial":"%s","model":"Room Kit","hw_revision":"B","mac":"AA:BB:CC:00:11:22","fw_version":"0.1.0","trial":"D1000001","region":"US","locale":"en-US","licence_state":"trial"}' $SERIAL >prov.json
post /v1/prov prov.json
expect 'server_time' "prov POST"
"$COLL" admin --db "$DB" show --serial $SERIAL --json >show.json 2>&1
grep -q '"mac":"aa:bb:cc:00:11:22"' show.json && ok || bad "show: $(cat show.json)"
# R13: support sees that the room asked for new return labels
grep -q '"rma_labels_requested":{"count":1,"last":"2023-11-14T22:13:22Z"}' show.json && ok ||
    bad "show: labels request: $(cat show.json)"
"$COLL" admin --db "$DB" show --serial $SERIAL | grep -q 'return labels requested on the room screen 2023-11-14T22:13:22Z (1 time' &&
    ok || bad "show (text): no labels request"
T3=$(totals)
[[ $T3 == *'"records":3,'*'"events":3}' ]] && ok || bad "totals after events: $T3"

# --- licence ------------------------------------------------------------------
coap get /v1/licence -u $SERIAL -k "$KEY"
expect '^4\.04' "no licence yet"
"$COLL" admin --db "$DB" licence --serial $SERIAL --trial-exp 2099-01-15T00:00Z \
    --add-service calling:2099-01-15T00:00Z >/dev/null && ok || bad "admin licence"
coap get /v1/licence -u $SERIAL -k "$KEY"
expect '"token":"[A-Za-z0-9_.-]+"' "licence GET"
python3 -c 'import json,sys; print(json.load(open("out.txt"))["token"])' >tok.txt 2>/dev/null
"$TCTL" licence tok.txt --pubkey pub.pem --serial $SERIAL --trial D1000001 --json >tctl.json 2>&1 &&
    ok || bad "trialctl refused the token: $(cat tctl.json)"
grep -q '"seq":1' tctl.json && ok || bad "trialctl: seq 1 expected: $(cat tctl.json)"
"$COLL" admin --db "$DB" licence --serial $SERIAL --extend >/dev/null && ok || bad "extend"
"$COLL" admin --db "$DB" licence --serial $SERIAL --extend >out.txt 2>&1
[[ $? -eq 1 ]] && grep -q 'already extended' out.txt && ok || bad "second extension not refused"

# Observe: a GET with Observe gets the licence, then a notification after a
# change (the server polls the licence version once a second).
timeout 12 "$CLIENT" -B 8 -s 8 -m get -u $SERIAL -k "$KEY" \
    "coaps://127.0.0.1:$PORT/v1/licence" >obs.txt 2>&1 &
OBS=$!
sleep 2
"$COLL" admin --db "$DB" licence --serial $SERIAL --paid >/dev/null && ok || bad "convert to paid"
wait $OBS
N=$(grep -o '"token"' obs.txt | wc -l)
[[ $N -ge 2 ]] && ok || bad "observe: expected 2+ notifications, got $N: $(cat obs.txt)"
LAST=$(grep -o '"token":"[^"]*"' obs.txt | tail -1 | cut -d'"' -f4)
printf '%s\n' "$LAST" >tok2.txt
"$TCTL" licence tok2.txt --pubkey pub.pem --serial $SERIAL --trial D1000001 --json >tctl.json 2>&1
grep -q '"type":"paid"' tctl.json && ok || bad "observed token is not paid: $(cat tctl.json)"

# --- restart: data persisted ---------------------------------------------------
stop_server
grep -q 'stopping' server.log && ok || bad "no clean stop"
start_server
[[ $(totals) == "$T3" ]] && ok || bad "totals after restart: $(totals)"
post /v1/usage u23.json
expect '"ack":\[2,3\]' "usage POST after restart"
[[ $(totals) == "$T3" ]] && ok || bad "duplicate stored after restart"
"$COLL" admin --db "$DB" totals --serial NOSUCH99 >out.txt 2>&1
[[ $? -eq 1 ]] && ok || bad "totals of an unknown serial should exit 1"
"$COLL" admin --db "$DB" enroll --serial abc >out.txt 2>&1
[[ $? -eq 2 ]] && ok || bad "enroll without fields should exit 2"
"$COLL" admin --db "$DB" enroll --serial abc --psk "$KEY_HEX" --trial D1 --region US >out.txt 2>&1
[[ $? -eq 1 ]] && grep -q '^.*serial' out.txt && ok || bad "bad serial should exit 1 naming serial"
stop_server

echo "collector system test: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]] || { echo "--- server.log (tail)" >&2; tail -40 server.log >&2; }
[[ $FAIL -eq 0 ]]
