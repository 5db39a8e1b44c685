#!/usr/bin/env bash
# Issue 14: the database fails under a running collector while simulated
# rooms report (spark-fleetsim). In every case the collector answers 5.03
# with Max-Age (nothing acknowledged that was not stored), logs one line when
# the database goes and one when it is back, and recovers by itself:
#   1. SQLite locked by another process for longer than the busy timeout
#   2. PostgreSQL made read-only (default_transaction_read_only), then not
#   3. PostgreSQL stopped (a crash: pg_ctl -m immediate) and started again
#   4. SQLite full (a file size limit the collector runs under): 5.03, and
#      nothing acknowledged that was not stored (it cannot recover by itself:
#      the limit stays)
# Each ends with the fleet's check against the database: 0 lost, 0
# duplicated (case 4: 0 acknowledged but not stored, 0 duplicated).
#
# usage: collector_faults.sh BIN-DIR [ROOMS]
set -uo pipefail
B=$(readlink -f "${1:?usage: $0 BIN-DIR [ROOMS]}")
ROOMS=${2:-30}
. "$(dirname "$(readlink -f "$0")")/fleet_lib.sh"

# 2 simulated hours in 8 s; the device's timing shortened; Max-Age 1-2 s.
FLEET=(--rooms "$ROOMS" --clock-rate 900 --duration 7200 --start-spread 1 --drain 40
       --ack-timeout-ms 1000 --max-retransmit 2 --connect-timeout-ms 3000 --quiet)
SERVE=(--retry-after 1)

# fleet NAME PORT DB [GEN]: the fleet in the background (pid FLEET_PID); a
# second fleet on the same database sends records of another provisioning
# generation (GEN), so that its check counts its own records only
fleet() {
    "$B/spark-fleetsim" --server "127.0.0.1:$2" --db "$3" --gen "${4:-1}" "${FLEET[@]}" \
        >"$1.fleet" 2>&1 &
    FLEET_PID=$!
    pids+=("$FLEET_PID")
}
# outcome NAME LOG: the checks every recoverable case shares
outcome() {
    local name=$1 log=$2 rc
    wait "$FLEET_PID"
    rc=$?
    check "$name: every record acknowledged and stored once (fleet exit $rc)" test $rc -eq 0
    check "$name: 0 lost, 0 duplicated" \
        test "$(result_of "$name.fleet" lost)/$(result_of "$name.fleet" duplicated)" = 0/0
    check "$name: the rooms were answered 5.03 ($(result_of "$name.fleet" busy) times)" \
        test "$(result_of "$name.fleet" busy)" -gt 0
    check "$name: one log line when the database went" test "$(grep -c 'database unavailable' "$log")" -eq 1
    check "$name: one when it was back" test "$(grep -c 'database back after' "$log")" -eq 1
    [ $fail -eq 0 ] || { tail -5 "$name.fleet"; grep -E 'unavailable|back after' "$log"; }
}
usage_rows() { # DB
    if [[ $1 == postgresql:* ]]; then
        pg_sql "SELECT COUNT(*) FROM usage" 2>/dev/null
    else
        python3 -c "import sqlite3; print(sqlite3.connect('$1', timeout=1).execute('SELECT COUNT(*) FROM usage').fetchone()[0])" 2>/dev/null
    fi
}
# first_round DB BEFORE: wait (30 s at most) until the fleet's first round
# is stored (a record of every room more than BEFORE rows): every room has
# its session, and a fault made now, lasting longer than a simulated hour
# (4 s), meets the next round whatever the machine's load
first_round() {
    local n _
    for _ in $(seq 1 300); do
        n=$(usage_rows "$1")
        [ "${n:-0}" -ge $(($2 + ROOMS)) ] && return 0
        sleep 0.1
    done
    echo "no report stored in 30 s"
}

# --- 1. SQLite locked ---------------------------------------------------------------
"$B/spark-fleetsim" --rooms "$ROOMS" --db lite.db --enroll >/dev/null || exit 1
P=$(udp_port)
start_collector lite "$P" lite.db "${SERVE[@]}"
fleet locked "$P" lite.db
first_round lite.db 0
python3 - <<'EOF' &
import sqlite3, time
c = sqlite3.connect("lite.db", isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")   # every writer waits: the collector's busy timeout is 2 s
time.sleep(5)
c.execute("ROLLBACK")
EOF
wait $!
outcome locked lite.log
stop_collector lite

# --- 2./3. PostgreSQL read-only, then stopped and started --------------------------
pg_start || exit 1
"$B/spark-fleetsim" --rooms "$ROOMS" --db "$PG_URI" --enroll >/dev/null || exit 1
P=$(udp_port)
start_collector pg "$P" "$PG_URI" "${SERVE[@]}"
fleet readonly "$P" "$PG_URI"
first_round "$PG_URI" 0
pg_sql "ALTER SYSTEM SET default_transaction_read_only = on" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
sleep 5
pg_sql "ALTER SYSTEM RESET default_transaction_read_only" >/dev/null
pg_sql "SELECT pg_reload_conf()" >/dev/null
outcome readonly pg.log
grep -q 'read-only transaction' pg.log
check "readonly: the log names it" test $? -eq 0

mv pg.log pg-readonly.log
stop_collector pg
start_collector pg "$P" "$PG_URI" "${SERVE[@]}"
before=$(usage_rows "$PG_URI")
fleet restart "$P" "$PG_URI" 2
first_round "$PG_URI" "$before"
pg_stop immediate
echo "PostgreSQL stopped (immediate) at $(date +%T)"
# a room that comes now cannot be looked up: its handshake fails
"$B/spark-fleetsim" --server "127.0.0.1:$P" --rooms 1 --gen 3 --interval 1 --duration 2 \
    --drain 1 --connect-timeout-ms 1000 --quiet >late.fleet 2>&1
check "restart: a room handshaking while it is down fails ($(result_of late.fleet hs_fail) failed)" \
    test "$(result_of late.fleet hs_fail)" -gt 0
sleep 2
pg_restart || exit 1
echo "PostgreSQL started again at $(date +%T)"
outcome restart pg.log
# rooms that handshake while it is down fail (no identity can be looked up):
# the one "database unavailable" line says so, not a line per handshake
check "restart: no line per failed handshake" test "$(grep -c 'DTLS handshake failed' pg.log)" -eq 0
stop_collector pg

# --- 4. SQLite full ------------------------------------------------------------------
"$B/spark-fleetsim" --rooms "$ROOMS" --db full.db --enroll >/dev/null || exit 1
P=$(udp_port)
# the database may grow by ~256 KiB (ulimit -f counts 1 KiB blocks)
LIMIT=$(($(stat -c %s full.db) / 1024 + 256))
(ulimit -f "$LIMIT" && exec "$B/spark-collector" serve --db full.db --listen "127.0.0.1:$P" \
    --licence-key lic.pem "${SERVE[@]}") >>full.log 2>&1 &
COLL_PID[full]=$!
pids+=("$!")
for _ in $(seq 1 50); do grep -q "listening on" full.log && break; sleep 0.1; done
# a record a simulated minute: more rows than the limit lets in, in 10 s
FLEET=(--rooms "$ROOMS" --clock-rate 720 --duration 7200 --interval 60 --start-spread 1
       --drain 2 --batch 64 --quiet)
fleet full "$P" full.db
wait "$FLEET_PID"
check "full: the collector is still there" kill -0 "${COLL_PID[full]}"
check "full: answered 5.03 ($(result_of full.fleet busy) times)" test "$(result_of full.fleet busy)" -gt 0
check "full: nothing acknowledged that was not stored" test "$(result_of full.fleet acked_not_stored)" = 0
check "full: 0 duplicated" test "$(result_of full.fleet duplicated)" = 0
# a file size limit shows as an I/O error (EFBIG); a full disk as "full"
check "full: one log line, however often it fails" test "$(grep -c 'database unavailable' full.log)" -eq 1
stop_collector full

echo "collector faults: $([ $fail -eq 0 ] && echo passed || echo "$fail failed")"
[ $fail -eq 0 ]
