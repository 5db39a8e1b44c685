# Shared by the admin-only collector test scripts (licence_rules.sh,
# trial_admin.sh), sourced with the script's arguments SPARK_COLLECTOR
# WORKDIR: a fresh work directory, ok/bad counters, adm (admin on DB: c.db,
# or with SPARK_TEST_DB=postgresql a PostgreSQL server started here,
# tests/lib/pg_lib.sh), iso (unix seconds to ISO 8601), NOW and DAY.
set -u
ADMIN_LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
COLL=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
DB=c.db
if [[ ${SPARK_TEST_DB:-sqlite} == postgresql ]]; then
    . "$ADMIN_LIB_DIR/../../lib/pg_lib.sh"
    trap pg_cleanup EXIT
    pg_start || exit 1
    DB=$PG_URI
fi
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
adm() { "$COLL" admin --db "$DB" "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date -u +%s)
DAY=86400
