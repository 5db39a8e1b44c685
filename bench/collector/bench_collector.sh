#!/usr/bin/env bash
# Side-by-side benchmark on loopback: spark-collector vs Debian's
# coap-server-openssl (libcoap3-bin), both driven by bench_coap_load (S
# DTLS-PSK sessions, R confirmable POSTs of a ~300-byte /v1/usage JSON body
# per session). Builds nothing. Each (server, S) run uses a freshly started
# server, so its VmHWM is the peak of that run alone.
#
# usage: bench_collector.sh BIN-DIR [SESSIONS...]
#   BIN-DIR holds spark-collector, spark-licence and bench_coap_load.
#   SESSIONS defaults to "10 100". Environment: REQUESTS (per session,
#   default 200), BODY_BYTES (300), TIMEOUT (seconds per phase, 60),
#   COAP_SERVER (coap-server-openssl).
set -uo pipefail
BIN=$(readlink -f "${1:?usage: $0 BIN-DIR [SESSIONS...]}")
shift
SESSIONS=("$@")
[[ ${#SESSIONS[@]} -gt 0 ]] || SESSIONS=(10 100)
REQUESTS=${REQUESTS:-200}
BODY_BYTES=${BODY_BYTES:-300}
TIMEOUT=${TIMEOUT:-60}
COAP_SERVER=${COAP_SERVER:-coap-server-openssl}
COLL=$BIN/spark-collector
LIC=$BIN/spark-licence
LOAD=$BIN/bench_coap_load
for f in "$COLL" "$LIC" "$LOAD"; do
    [[ -x $f ]] || { echo "missing $f (build spark-collector spark-licence bench_coap_load)" >&2; exit 2; }
done
command -v "$COAP_SERVER" >/dev/null || { echo "$COAP_SERVER not installed" >&2; exit 2; }
for s in "${SESSIONS[@]}"; do
    [[ $s =~ ^[0-9]+$ && $s -ge 1 && $s -le 4000 ]] || { echo "bad session count $s" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-collector.XXXXXX")
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK" || exit 2

KEY=spark-bench-psk-key  # per-session key: KEY-00001 ... (>= 16 bytes, printable)
PREFIX=BENCH             # identities / serials BENCH00001 ...

free_port() { # a UDP port P on 127.0.0.1 with P+1 free too (coap-server uses P+1 for DTLS)
    python3 - <<'EOF'
import socket
for _ in range(50):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    p = a.getsockname()[1]
    if p >= 65535:
        a.close(); continue
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        a.close(); b.close(); continue
    a.close(); b.close()
    print(p)
    break
EOF
}

status_kb() { # status_kb PID FIELD -> kB
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

udp_bound() { # udp_bound PORT: true when something listens on 127.0.0.1:PORT/udp
    python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(('127.0.0.1', $1))
except OSError:
    sys.exit(0)
sys.exit(1)"
}

wait_port() { # wait_port PORT LOG: up to 5 s
    for _ in $(seq 50); do
        udp_bound "$1" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start on port $1" >&2
    tail -20 "$2" >&2
    return 1
}

stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

"$LIC" keygen --out key.pem --pubout pub.pem >/dev/null || { echo "keygen failed" >&2; exit 1; }

MAXS=0
for s in "${SESSIONS[@]}"; do ((s > MAXS)) && MAXS=$s; done
echo "enrolling $MAXS devices in the template database..." >&2
for i in $(seq 1 "$MAXS"); do
    n=$(printf %05u "$i")
    hex=$(printf %s "$KEY-$n" | od -An -tx1 | tr -d ' \n')
    "$COLL" admin --db template.db enroll --serial "$PREFIX$n" --psk "$hex" --trial D1 --region US \
        >/dev/null || { echo "enroll $PREFIX$n failed" >&2; exit 1; }
done

ROWS=()
FAILED=0
run_one() { # run_one SERVER S
    local server=$1 s=$2 port dport log=$WORK/$1-$2.log
    port=$(free_port)
    [[ -n $port ]] || { echo "no free port" >&2; return 1; }
    local load_args=(--sessions "$s" --requests "$REQUESTS" --body-bytes "$BODY_BYTES"
                     --timeout "$TIMEOUT" --prefix "$PREFIX")
    if [[ $server == spark-collector ]]; then
        rm -f bench.db bench.db-wal bench.db-shm
        cp template.db bench.db
        dport=$port
        SPARK_COLLECTOR_LOG=warn "$COLL" serve --db bench.db --listen "127.0.0.1:$dport" \
            --licence-key key.pem >"$log" 2>&1 &
        SERVER_PID=$!
        load_args+=(--port "$dport" --key "$KEY" --key-per-session --path /v1/usage)
    else
        dport=$((port + 1))
        "$COAP_SERVER" -A 127.0.0.1 -p "$port" -k "$KEY" -d 16 -v 0 >"$log" 2>&1 &
        SERVER_PID=$!
        load_args+=(--port "$dport" --key "$KEY" --path /bench/usage)
    fi
    wait_port "$dport" "$log" || { stop_server; return 1; }
    sleep 0.2
    local base hwm out rc pid=$SERVER_PID
    base=$(status_kb "$pid" VmRSS)
    out=$(timeout $((2 * TIMEOUT + 30)) "$LOAD" "${load_args[@]}")
    rc=$?
    hwm=$(status_kb "$pid" VmHWM)
    echo "$server S=$s: $out (exit $rc, baseline VmRSS ${base} kB)" >&2
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "$server died during the run" >&2
        tail -20 "$log" >&2
        rc=1
    fi
    stop_server
    [[ $rc -eq 0 ]] || FAILED=1
    local hs rq
    hs=$(sed -n 's/.*handshakes_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
    rq=$(sed -n 's/.*requests_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
    local per
    per=$(awk -v h="${hwm:-0}" -v b="${base:-0}" -v s="$s" 'BEGIN { printf "%.1f", (h - b) / s }')
    ROWS+=("$(printf '| %s | %s | %s | %s | %s kB | %s kB |' "$server" "$s" "${hs:-?}" "${rq:-?}" \
        "${hwm:-?}" "$per")")
    [[ $server == spark-collector && $rc -eq 0 ]] &&
        echo "  stored records: $("$COLL" admin --db bench.db totals --serial "${PREFIX}00001" --json)" >&2
    return 0
}

for s in "${SESSIONS[@]}"; do
    run_one spark-collector "$s"
    run_one coap-server-openssl "$s"
done

echo
echo "requests per session: $REQUESTS, body: $BODY_BYTES B, confirmable POST, one outstanding per session"
echo "| server | sessions | handshakes/s | requests/s | peak RSS (VmHWM) | RSS per session ((VmHWM - idle VmRSS) / sessions) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
exit $FAILED
