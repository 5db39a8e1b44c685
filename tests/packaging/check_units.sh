#!/usr/bin/env bash
# systemd-analyze verify on the installed units (a staged install of this
# build, with the host's own units beside them so that targets resolve):
# any warning (a misspelt key, a bad value, a missing program or man page)
# fails, not only errors. Then the hardening the room agent's unit must keep
# (docs/PACKAGING.md).
# usage: check_units.sh BUILD_DIR
set -uo pipefail
BUILD=$(readlink -f "$1")
stage=$(mktemp -d "${TMPDIR:-/tmp}/spark-units.XXXXXX")
trap 'rm -rf "$stage"' EXIT
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }
for c in room-agent tools; do
    DESTDIR=$stage cmake --install "$BUILD" --prefix /usr --component "$c" >/dev/null || exit 1
done
units=$stage/usr/lib/systemd/system
mine=()
for u in spark-room-agent.service spark-collector.service; do
    [ -f "$units/$u" ] && mine+=("$u")
done
check "both units installed" test "${#mine[@]}" -eq 2
hostunits=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
cp -an "$hostunits/." "$units/"
out=$(MANPATH=$stage/usr/share/man systemd-analyze verify --root="$stage" "${mine[@]}" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out"
check "systemd-analyze verify: exit 0" test "$rc" -eq 0
check "systemd-analyze verify: no warning" test -z "$out"
agent=$units/spark-room-agent.service
for want in Type=notify "WatchdogSec=" Restart=on-failure User=spark "DeviceAllow=" \
            DevicePolicy=closed ProtectSystem=strict NoNewPrivileges=yes "StateDirectory=spark"; do
    check "spark-room-agent.service has $want" grep -q "^$want" "$agent"
done
[ "$fail" -eq 0 ] || { echo "$fail check(s) failed"; exit 1; }
echo "PASS: ${mine[*]}"
