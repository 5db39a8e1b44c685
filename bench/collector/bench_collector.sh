#!/usr/bin/env bash
# Side by side, in one run, on loopback: Debian's coap-server-openssl (which
# stores nothing), spark-collector on SQLite, on PostgreSQL, and two
# spark-collectors on one PostgreSQL, all driven by spark-fleetsim's closed
# loop (S rooms, each sends its next report when the last is answered: one
# confirmable POST of a ~300-byte /v1/usage body made by the device's
# encoder). Every server row starts fresh, so its VmHWM is that run's peak.
# The load generator is shown not to be the limit: its CPU is printed, and
# the same row with twice the generator processes (GEN_PROCS x 2) is run too.
#
# usage: bench_collector.sh BIN-DIR [SESSIONS...]
#   BIN-DIR holds spark-collector, spark-licence and spark-fleetsim.
#   SESSIONS defaults to "100 1000". Environment: REPEAT (runs per row, the
#   median is shown; default 3), REQUESTS_100 / REQUESTS_1000 (reports per
#   room; 200 / 50), GEN_PROCS (generator processes, default 2), ROWS (which
#   rows: "coap sqlite pg pg2", all by default), COAP_SERVER, SERVE_ARGS
#   (more options for spark-collector serve, e.g. "--ack piggyback").
set -uo pipefail
BIN=$(readlink -f "${1:?usage: $0 BIN-DIR [SESSIONS...]}")
shift
SESSIONS=("$@")
[[ ${#SESSIONS[@]} -gt 0 ]] || SESSIONS=(100 1000)
REPEAT=${REPEAT:-3}
GEN_PROCS=${GEN_PROCS:-2}
ROWS=${ROWS:-coap sqlite pg pg2}
COAP_SERVER=${COAP_SERVER:-coap-server-openssl}
for f in spark-collector spark-licence spark-fleetsim; do
    [[ -x $BIN/$f ]] || { echo "missing $BIN/$f" >&2; exit 2; }
done
command -v "$COAP_SERVER" >/dev/null || { echo "$COAP_SERVER not installed" >&2; exit 2; }
HERE=$(dirname "$(readlink -f "$0")")
. "$HERE/../../tests/lib/pg_lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-collector.XXXXXX")
SRV=()
cleanup() {
    local p
    for p in "${SRV[@]}"; do kill -KILL "$p" 2>/dev/null; done
    pg_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK" || exit 2

MAXS=0
for s in "${SESSIONS[@]}"; do ((s > MAXS)) && MAXS=$s; done
KEY=spark-bench-psk-key0
"$BIN/spark-licence" keygen --out key.pem --pubout pub.pem >/dev/null || exit 1
echo "enrolling $MAXS rooms (SQLite template and PostgreSQL)..." >&2
"$BIN/spark-fleetsim" --rooms "$MAXS" --db template.db --enroll >/dev/null || exit 1
PG=0
if [[ " $ROWS " == *" pg"* ]] && pg_start; then
    "$BIN/spark-fleetsim" --rooms "$MAXS" --db "$PG_URI" --enroll >/dev/null && PG=1
fi

udp_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
udp_bound() {
    python3 -c "import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(('127.0.0.1', $1))
except OSError:
    sys.exit(0)
sys.exit(1)"
}
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_s() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null; }
val() { sed -n "s/^result .* $2=\([^ ]*\).*/\1/p" "$1"; }

# start NAME PORT CMD...: a server in the background, waits for its port
start() {
    local name=$1 port=$2
    shift 2
    "$@" >"$name.log" 2>&1 &
    SRV+=("$!")
    local i
    for i in $(seq 50); do udp_bound "$port" && return 0; sleep 0.1; done
    echo "$name did not start" >&2
    tail -5 "$name.log" >&2
    return 1
}
stop_all() {
    local p
    for p in "${SRV[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    SRV=()
}

# commits NAME...: requests per commit over the collectors' "stopping:" lines
commits() {
    cat "$@" 2>/dev/null | sed -n 's/.*stopping: \([0-9]*\) request(s) stored in \([0-9]*\) group.*, \([0-9]*\) stored alone.*/\1 \2 \3/p' |
        awk '{ r += $1 + $3; c += $2 + $3 } END { printf "%s", c ? sprintf("%.1f", r / c) : "-" }'
}

# run ROW S PROCS -> one line: ROW S PROCS rate p99 server_cpu gen_cpu wall rss_per_session hwm per_commit
run() {
    local row=$1 s=$2 procs=$3 req args=() ports=()
    # every run its own provisioning generation: the check counts its rows only
    GEN=$((GEN + 1))
    local gen=$GEN
    req=${REQUESTS_1000:-50}
    ((s <= 100)) && req=${REQUESTS_100:-200}
    case $row in
    coap)
        local p
        p=$(udp_port)
        start coap "$((p + 1))" "$COAP_SERVER" -A 127.0.0.1 -p "$p" -k "$KEY" -d 16 -v 0 || return 1
        args=(--server "127.0.0.1:$((p + 1))" --key "$KEY" --path /bench/usage)
        ;;
    sqlite)
        cp template.db bench.db
        rm -f bench.db-wal bench.db-shm
        ports=("$(udp_port)")
        start sqlite "${ports[0]}" env SPARK_COLLECTOR_LOG=info "$BIN/spark-collector" serve \
            --db bench.db --listen "127.0.0.1:${ports[0]}" --licence-key key.pem ${SERVE_ARGS:-} || return 1
        args=(--server "127.0.0.1:${ports[0]}" --db bench.db --gen "$gen")
        ;;
    pg | pg2)
        ((PG)) || return 1
        ports=("$(udp_port)")
        [[ $row == pg2 ]] && ports+=("$(udp_port)")
        local i srv=""
        for i in "${!ports[@]}"; do
            start "$row-$i" "${ports[$i]}" env SPARK_COLLECTOR_LOG=info "$BIN/spark-collector" serve \
                --db "$PG_URI" --listen "127.0.0.1:${ports[$i]}" --licence-key key.pem ${SERVE_ARGS:-} || return 1
            srv+="${srv:+,}127.0.0.1:${ports[$i]}"
        done
        args=(--server "$srv" --db "$PG_URI" --gen "$gen")
        ;;
    esac
    sleep 0.3
    local base=0 p
    for p in "${SRV[@]}"; do base=$((base + $(kb "$p" VmRSS))); done
    "$BIN/spark-fleetsim" "${args[@]}" --rooms "$s" --procs "$procs" --storm --handshake-window 50 \
        --requests "$req" --batch 1 --body-bytes 300 --drain 120 --quiet >"run.out" 2>&1
    local rc=$? hwm=0 cpu=0
    for p in "${SRV[@]}"; do
        hwm=$((hwm + $(kb "$p" VmHWM)))
        cpu=$(awk -v a="$cpu" -v b="$(cpu_s "$p")" 'BEGIN { printf "%.2f", a + b }')
    done
    stop_all
    [[ $rc -eq 0 ]] || { echo "  ($row S=$s: spark-fleetsim exit $rc)" >&2; tail -4 run.out >&2; }
    local per=-
    [[ $row != coap ]] && per=$(commits "$row"*.log)
    rm -f "$row"*.log
    printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$row" "$s" "$procs" "$(val run.out reports_per_s)" \
        "$(val run.out p99_ms)" "$cpu" "$(val run.out cpu_s)" "$(val run.out wall_s)" \
        "$(awk -v h="$hwm" -v b="$base" -v s="$s" 'BEGIN { printf "%.1f", (h - b) / s }')" "$hwm" "$per"
}

GEN=0
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "-") }'; }

echo "rows: $ROWS; sessions: ${SESSIONS[*]}; generator: spark-fleetsim, $GEN_PROCS and $((2 * GEN_PROCS)) processes; $REPEAT run(s) each, median" >&2
: >all.txt
for n in $(seq "$REPEAT"); do
    for s in "${SESSIONS[@]}"; do
        for row in $ROWS; do
            for procs in "$GEN_PROCS" $((2 * GEN_PROCS)); do
                run "$row" "$s" "$procs" >line.txt || continue
                line=$(cat line.txt)
                echo "  run $n: $line" >&2
                echo "$line" >>all.txt
            done
        done
    done
done

name() {
    case $1 in
    coap) echo "coap-server-openssl (stores nothing)" ;;
    sqlite) echo "spark-collector, SQLite" ;;
    pg) echo "spark-collector, PostgreSQL" ;;
    pg2) echo "2 x spark-collector, one PostgreSQL" ;;
    esac
}
echo
echo "| server | sessions | generator processes | reports/s | p99 latency | server CPU per report | generator CPU | RSS per session | reports per commit |"
echo "|---|---|---|---|---|---|---|---|---|"
for s in "${SESSIONS[@]}"; do
    for row in $ROWS; do
        for procs in "$GEN_PROCS" $((2 * GEN_PROCS)); do
            sel() { awk -v r="$row" -v s="$s" -v p="$procs" -v c="$1" '$1 == r && $2 == s && $3 == p { print $c }' all.txt | median; }
            rate=$(sel 4)
            [[ $rate == - ]] && continue
            req=${REQUESTS_1000:-50}
            ((s <= 100)) && req=${REQUESTS_100:-200}
            us=$(awk -v c="$(sel 6)" -v n="$((s * req))" 'BEGIN { printf "%.0f", c * 1e6 / n }')
            gen=$(awk -v c="$(sel 7)" -v w="$(sel 8)" -v p="$procs" 'BEGIN { printf "%.0f%% of %d cores", 100 * c / w / p, p }')
            printf '| %s | %s | %s | %s | %s ms | %s µs | %s | %s kB | %s |\n' "$(name "$row")" "$s" \
                "$procs" "$(printf "%'.0f" "$rate")" "$(sel 5)" "$us" "$gen" "$(sel 9)" "$(sel 11)"
        done
    done
done
