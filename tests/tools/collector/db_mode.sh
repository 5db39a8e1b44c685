#!/bin/bash
# Secrets at rest: the collector's database holds every device's PSK, so a
# new one is created mode 0600 whatever the umask (SQLite gives its -wal and
# -shm files the database's mode). No server: admin only, < 1 s.
#   db_mode.sh SPARK_COLLECTOR WORKDIR
set -u
COLL=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
umask 000
"$COLL" admin --db c.db enroll --serial FOC0000MOD1 --psk 00112233445566778899aabbccddeeff \
    --trial D1000001 --region US >/dev/null || fail "enroll"
for f in c.db c.db-wal c.db-shm; do
    [ -e "$f" ] || continue
    m=$(stat -c %a "$f")
    [ "$m" = 600 ] || fail "$f is mode $m, want 600"
    echo "$f: mode $m"
done
"$COLL" admin --db c.db licence --serial FOC0000MOD1 --trial-exp 2099-01-01 >/dev/null || fail "licence"
[ "$(stat -c %a c.db)" = 600 ] || fail "c.db changed mode"
# An unwritable place is an error that names the database, not a crash.
"$COLL" admin --db /nonexistent/dir/c.db show --serial FOC0000MOD1 >out.txt 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "/nonexistent/dir/c.db" out.txt || fail "bad path: exit $rc: $(cat out.txt)"
echo "collector database: mode 600"
