# Shared by the fleet tests and scripts (fleet_two_collectors.sh,
# collector_faults.sh, scripts/fleet_day.sh): collectors on loopback ports,
# started, killed and stopped by the caller's pids, a PostgreSQL server
# (tests/lib/pg_lib.sh), everything stopped on exit. Source it with B (the
# bin directory) set; it makes a work directory and changes into it.
FLEET_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
. "$FLEET_HERE/../lib/pg_lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/spark-fleet.XXXXXX")
cd "$work" || exit 1
pids=()
fleet_cleanup() {
    local p
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    pg_cleanup
    if [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap fleet_cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }
udp_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
"$B/spark-licence" keygen --out lic.pem --pubout lic.pub >/dev/null || exit 1

# start_collector NAME PORT DB [serve options...]: $NAME.log, pid in COLL_PID[NAME]
declare -A COLL_PID
start_collector() {
    local name=$1 port=$2 db=$3
    shift 3
    touch "$name.log"
    "$B/spark-collector" serve --db "$db" --listen "127.0.0.1:$port" --licence-key lic.pem "$@" \
        >>"$name.log" 2>&1 &
    COLL_PID[$name]=$!
    pids+=("$!")
    local i
    for i in $(seq 1 100); do
        grep -q "listening on 127.0.0.1:$port" "$name.log" && return 0
        kill -0 "${COLL_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "collector $name did not start"
    tail -5 "$name.log"
    exit 1
}
stop_collector() { # NAME: SIGTERM, wait
    kill -TERM "${COLL_PID[$1]}" 2>/dev/null
    wait "${COLL_PID[$1]}" 2>/dev/null
}
kill_collector() { # NAME: SIGKILL, as a crash
    kill -KILL "${COLL_PID[$1]}" 2>/dev/null
    wait "${COLL_PID[$1]}" 2>/dev/null
}
# result_of FILE KEY: a value of spark-fleetsim's "result" line
result_of() { sed -n "s/^result .* $2=\([^ ]*\).*/\1/p" "$1"; }
