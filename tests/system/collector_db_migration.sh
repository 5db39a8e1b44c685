#!/usr/bin/env bash
# The collector's database migration from schema version 1 (records keyed by
# (serial, id)) to version 2 (keyed by (serial, gen, id)), and the columns the
# tables gained since (the enrollment record's support_psk, dial_prefix, gen;
# the provisioning report's gen). A version 1 database is made here with the
# sqlite3 command from the schema as it was (collector_schema_v1.sql) and filled with a
# device, usage records, events and a provisioning report. Today's collector
# opens it: every row keeps its data and takes generation 0; records of
# generation 1 for the same ids, sent over DTLS by spark-fleetsim (the
# device's own encoder), are stored beside them; opening it again changes
# nothing.
#
# usage: collector_db_migration.sh BIN_DIR SCHEMA-V1.SQL
set -uo pipefail
B=${1:?usage: $0 BIN_DIR SCHEMA-V1.SQL}
V1=$(readlink -f "${2:?}")
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
. "$(dirname "$0")/e2e_lib.sh"
need sparkflash spark-collector spark-fleetsim
q() { sqlite3 -batch -noheader c.db "$1"; }

SN=BENCH0000001 # spark-fleetsim --prefix BENCH: its first room's identity and serial
KEY=migrationtestkey0123456789
KEY_HEX=$(printf %s "$KEY" | od -An -tx1 | tr -d ' \n')

# --- a version 1 database, as the collector of then left it ---------------------
sqlite3 c.db <"$V1" || { echo "cannot make the v1 database" >&2; exit 1; }
q "INSERT INTO device VALUES ('$SN', '$SN', X'$KEY_HEX', 'D1000001', 'US', 1, 'Room Kit',
     1700000000, 1700003600);
   INSERT INTO provisioning VALUES ('$SN', 'Room Kit', 'B', '02:00:00:00:00:01', '0.9.0',
     'D1000001', 'US', 'en', 'trial', 1700000000, 1700003600, 4);
   INSERT INTO usage VALUES ('$SN', 1, 1700000000, 1700003600, 3, 600, 1, 0, 2, 1800, 120, 4, 3600, 1700003601),
     ('$SN', 2, 1700003600, 1700007200, 5, 900, 0, 1, 1, 600, 0, 6, 3600, 1700007201),
     ('$SN', 3, 1700007200, 1700010800, 7, 4294967295, 0, 0, 0, 0, 0, 2, 3600, 1700010801);
   INSERT INTO event VALUES ('$SN', 1, 1700000100, 'notice', 'E-7d', 1700003601),
     ('$SN', 2, 1700000200, 'rma_shown', '', 1700003601);"
check "the v1 database is version 1" test "$(q 'PRAGMA user_version')" = 1
COLS="id, start, \"end\", calls, call_seconds, calls_blocked, emergency_calls, meetings,
      meeting_seconds, share_seconds, people_peak, uptime_seconds, received_at"
usage_v1=$(q "SELECT $COLS FROM usage ORDER BY id")
events_v1=$(q "SELECT id, t, kind, detail, received_at FROM event ORDER BY id")
device_v1=$(q "SELECT serial, psk_identity, hex(psk), trial, region, keep_devices, model,
                      enrolled_at, last_contact FROM device")

# --- today's collector opens it ----------------------------------------------------
"$B/spark-collector" admin --db c.db totals --serial "$SN" --json >totals.json 2>open.log
check "the collector opens the v1 database (exit 0)" test $? -eq 0
check "it says it migrated" grep -q 'migrated to schema 2' open.log
check "the current version now (3: trials, issue 12)" test "$(q 'PRAGMA user_version')" = 3
check "usage rows keep their data" test "$(q "SELECT $COLS FROM usage ORDER BY id")" = "$usage_v1"
check "usage rows take generation 0" test "$(q 'SELECT COUNT(*) FROM usage WHERE gen = 0')" = 3
check "event rows keep their data" \
    test "$(q 'SELECT id, t, kind, detail, received_at FROM event ORDER BY id')" = "$events_v1"
check "event rows take generation 0" test "$(q 'SELECT COUNT(*) FROM event WHERE gen = 0')" = 2
check "the device row keeps its data" test "$(q "SELECT serial, psk_identity, hex(psk), trial,
    region, keep_devices, model, enrolled_at, last_contact FROM device")" = "$device_v1"
check "the device row gains the enrollment record's new fields, empty" \
    test "$(q "SELECT dial_prefix || '|' || gen || '|' || length(support_psk) FROM device")" = "|0|0"
check "the provisioning report gains gen 0" \
    test "$(q "SELECT fw_version || '|' || reports || '|' || gen FROM provisioning")" = "0.9.0|4|0"
check "totals: 3 records of one generation" \
    grep -q '"records":3,"calls":15,.*"generations":1,"events":2}' totals.json
"$B/spark-collector" admin --db c.db show --serial "$SN" --json >show.json 2>&1
check "admin show reads the migrated device" \
    grep -q '"keep_devices":true,"model":"Room Kit","dial_prefix":"","gen":0,' show.json

# --- new records of generation 1 (same ids) stored beside them ----------------------
PORT=$(free_port)
start_collector "$PORT"
timeout 60 "$B/spark-fleetsim" --server "127.0.0.1:$PORT" --rooms 1 --prefix BENCH --key "$KEY" \
    --gen 1 --requests 3 --batch 1 --drain 30 --quiet >load.txt 2>&1
check "spark-fleetsim's 3 reports of generation 1 acknowledged" \
    grep -q '^result .* ok=3 .* acked=3 ' load.txt
grep -q '^result .* acked=3 ' load.txt || cat load.txt server.log
stop_collector
check "generation 1 stored beside generation 0" \
    test "$(q 'SELECT gen, COUNT(*), MIN(id), MAX(id) FROM usage GROUP BY gen ORDER BY gen')" \
    = "$(printf '0|3|1|3\n1|3|1|3')"
check "generation 0 rows unchanged" \
    test "$(q "SELECT $COLS FROM usage WHERE gen = 0 ORDER BY id")" = "$usage_v1"
"$B/spark-collector" admin --db c.db totals --serial "$SN" --json >totals2.json 2>&1
check "totals: 6 records of two generations" grep -q '"records":6,.*"generations":2,' totals2.json

# --- opened again: nothing moves ----------------------------------------------------
before=$(q "SELECT * FROM usage ORDER BY gen, id")
"$B/spark-collector" admin --db c.db totals --serial "$SN" >/dev/null 2>again.log
check "opened again: no second migration" test ! -s again.log
check "opened again: the rows as they were" test "$(q 'SELECT * FROM usage ORDER BY gen, id')" = "$before"

echo "collector_db_migration: $fail failures"
[ "$fail" -eq 0 ]
