# Shared by the admin-only collector test scripts (licence_rules.sh,
# trial_admin.sh), sourced with the script's arguments SPARK_COLLECTOR
# WORKDIR: a fresh work directory, ok/bad counters, adm (admin on c.db),
# iso (unix seconds to ISO 8601), NOW and DAY.
set -u
COLL=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
adm() { "$COLL" admin --db c.db "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date -u +%s)
DAY=86400
