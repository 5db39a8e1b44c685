#!/usr/bin/env bash
# The Debian packages CPack makes from this build (packaging/CMakeLists.txt):
# names, architecture, files, conffile, maintainer scripts, library
# dependencies; then the packaged trialctl runs from the extracted package.
# usage: check_packages.sh BUILD_DIR DEB_ARCH PACKAGES [EMULATOR]
#   PACKAGES: comma-separated, e.g. spark-room-agent,spark-tools
set -uo pipefail
BUILD=$(readlink -f "$1")
ARCH=$2
IFS=, read -r -a PKGS <<<"$3"
EMU=${4:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/spark-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
# An ELF file's magic and e_machine (bytes 18-19, little endian) as hex: the
# architecture the package says must be the code it holds.
case $ARCH in
arm64) MACHINE=7f454c46:b700 ;;
amd64) MACHINE=7f454c46:3e00 ;;
*) echo "check_packages: unknown architecture $ARCH"; exit 1 ;;
esac
elf_machine() { # DEB PATH
    local h
    h=$(dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" | head -c 20 | od -An -tx1 | tr -d ' \n')
    echo "${h:0:8}:${h:36:4}"
}
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }

cpack --config "$BUILD/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; echo "FAIL cpack"; exit 1; }
for p in "${PKGS[@]}"; do
    deb="$work/out/${p}_$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")_$ARCH.deb"
    check "$p: $ARCH package made" test -f "$deb"
    [ -f "$deb" ] || continue
    dpkg-deb -I "$deb" >"$work/$p.info"
    dpkg-deb -c "$deb" | awk '{print $6}' >"$work/$p.files"
    has() { grep -qx -- "$2" "$work/$p.$1"; }
    check "$p: Package field" grep -q "^ Package: $p\$" "$work/$p.info"
    check "$p: Architecture $ARCH" grep -q "^ Architecture: $ARCH\$" "$work/$p.info"
    check "$p: Depends on libc6 (dpkg-shlibdeps ran)" grep -q "^ Depends:.*libc6" "$work/$p.info"
    case $p in
    spark-room-agent)
        for f in ./usr/bin/spark-agent-room ./usr/lib/systemd/system/spark-room-agent.service \
                 ./etc/spark/room.conf ./usr/share/man/man8/spark-agent-room.8 \
                 ./usr/lib/udev/rules.d/60-spark-store.rules; do
            check "$p: ships $f" has files "$f"
        done
        check "$p: Depends on libtss2-esys (the TPM)" grep -q "^ Depends:.*libtss2-esys" "$work/$p.info"
        check "$p: Depends on libsystemd0 (sd_notify)" grep -q "^ Depends:.*libsystemd0" "$work/$p.info"
        dpkg-deb -e "$deb" "$work/$p.ctl"
        check "$p: /etc/spark/room.conf is a conffile" grep -qx /etc/spark/room.conf "$work/$p.ctl/conffiles"
        check "$p: postinst makes the spark system user" \
            grep -Eq "adduser --system .*spark" "$work/$p.ctl/postinst"
        check "$p: postinst is a valid sh script" sh -n "$work/$p.ctl/postinst"
        check "$p: the agent is $ARCH code" test "$(elf_machine "$deb" ./usr/bin/spark-agent-room)" = "$MACHINE"
        ;;
    spark-tools)
        for b in sparkflash trialctl spark-licence spark-collector; do
            check "$p: ships /usr/bin/$b" has files "./usr/bin/$b"
            check "$p: man page $b.1" has files "./usr/share/man/man1/$b.1"
        done
        check "$p: ships the collector's unit" has files ./usr/lib/systemd/system/spark-collector.service
        check "$p: trialctl is $ARCH code" test "$(elf_machine "$deb" ./usr/bin/trialctl)" = "$MACHINE"
        check "$p: does not ship the room agent" bash -c "! grep -q spark-agent-room '$work/$p.files'"
        # The packaged program runs (under the emulator for a foreign arch).
        mkdir -p "$work/x"
        dpkg-deb -x "$deb" "$work/x"
        check "$p: packaged trialctl --version runs" bash -c \
            "$EMU '$work/x/usr/bin/trialctl' --version | grep -Eq '^trialctl [0-9]+\.[0-9]+\.[0-9]+'"
        ;;
    esac
done
[ "$fail" -eq 0 ] || { echo "$fail check(s) failed"; exit 1; }
echo "PASS: ${PKGS[*]} ($ARCH)"
