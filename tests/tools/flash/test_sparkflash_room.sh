#!/usr/bin/env bash
# CLI tests of sparkflash on room board targets (issue 3, room board targets):
#  - provision on a room board's flash (a partition image file with --board
#    room, and a loop block device auto-detected from its node): first contact
#    creates the device key and counter in the secure directory; the hardware
#    serial comes from the room config's `serial =` key and --serial must match;
#  - spark-agent-room boots from the flash sparkflash provisioned;
#  - show (text and --json) and verify read a private copy: the flash and every
#    file of the secure directory are byte-for-byte unchanged;
#  - verify names damage (DAMAGED, store sector) without changing the target;
#  - factory-reset --yes, then provision again;
#  - keygen / sign / flash / verify --pubkey on a 2 MiB partition image, and
#    the downgrade refusal;
#  - issue 3's "Bad input" list for room targets: --create, missing secure
#    dir, secure dir without a key, a new key over a flash holding records,
#    serial mismatch, already provisioned, read-only flash, flash too small,
#    a character device that is not MTD, a bad config file, and the usage
#    errors of --board/--config/--secure-dir. Each refusal is followed by a
#    check that the flash and every file in the secure directory (names and
#    contents, SHA-256) are unchanged.
#
# usage: test_sparkflash_room.sh PATH/TO/sparkflash [PATH/TO/spark-agent-room]
# Without the agent the boot checks are skipped. The block device section
# needs root and a working `losetup`; otherwise it prints SKIP and goes on.
set -uo pipefail
# shellcheck source=sf_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/sf_lib.sh" || exit 1
SF=${1:?usage: $0 PATH/TO/sparkflash [PATH/TO/spark-agent-room]}
SF=$(readlink -f "$SF")
AGENT=${2:+$(readlink -f "$2")}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sfroom.XXXXXX")
LOOP=
cleanup() {
    [[ -n $LOOP ]] && losetup -d "$LOOP" 2>/dev/null
    chmod -R u+w "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

# check DESCRIPTION COMMAND...: one check that COMMAND succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

# fingerprint FLASH SECDIR: SHA-256 over the flash's bytes and the name and
# bytes of every file in the secure directory (a created key changes it).
fingerprint() {
    local flash=$1 dir=$2 f
    {
        echo "flash"; cat "$flash" 2>/dev/null
        if [[ -d $dir ]]; then
            while IFS= read -r f; do
                echo "file ${f#"$dir"}"; cat "$f"
            done < <(find "$dir" -type f | LC_ALL=C sort)
        else
            echo "no dir"
        fi
    } | sha256sum | cut -d' ' -f1
}

# unchanged_by FLASH SECDIR RC PATTERN -- ARGS...: run sparkflash (run's checks)
# and check that FLASH and SECDIR are unchanged afterwards.
unchanged_by() {
    local flash=$1 dir=$2 want=$3 pat=$4
    shift 5
    local before
    before=$(fingerprint "$flash" "$dir")
    run "$want" "$pat" -- "$@"
    if [[ $(fingerprint "$flash" "$dir") != "$before" ]]; then
        bad "sparkflash $* changed $flash or $dir"
    else
        ok
    fi
}

# refused FLASH SECDIR PATTERN -- ARGS...: exit 1 naming the field, nothing changed.
refused() {
    local flash=$1 dir=$2 pat=$3
    shift 4
    unchanged_by "$flash" "$dir" 1 "$pat" -- "$@"
}

# erased FILE BYTES: a factory-fresh partition image (all 0xFF).
erased() { head -c "$2" /dev/zero | tr '\000' '\377' >"$1"; }

# mkconf FILE FLASH SECDIR [EXTRA-LINE...]: a room board config.
SERIAL=RKT0000001
mkconf() {
    local file=$1 flash=$2 dir=$3
    shift 3
    {
        echo "# written by test_sparkflash_room.sh"
        echo "flash = $flash"
        echo "secure_dir = $dir"
        echo "fb = none"
        echo "input = none"
        echo "call_socket = $WORK/call.sock"
        echo "serial = $SERIAL"
        echo "iface = lo"
        echo "support_listen = off" # tests listen on loopback only
        echo "secure_backend = file"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$file"
}


# agent CONF: boot spark-agent-room for 2 s (bounded); output in agent.txt, sets ARC.
agent() {
    timeout 60 "$AGENT" --config "$1" --log-stderr --run-for 2 >agent.txt 2>&1
    ARC=$?
}

# ----------------------------------------------------------------- setup
openssl ecparam -name prime256v1 -genkey -noout -out p256.pem 2>/dev/null
openssl ec -in p256.pem -pubout -out p256.pub 2>/dev/null
MiB=1048576
erased blank.img $((2 * MiB)) # kept erased: copies of it are fresh partitions

# The device under test: a 2 MiB partition image and an empty secure dir.
cp blank.img part.img
mkdir -m 700 sec
mkconf room.conf "$WORK/part.img" "$WORK/sec"
R=(--board room --config room.conf)

# ------------------------------------------------- usage errors (exit 2)
unchanged_by part.img sec 2 '--config applies to room board targets.*add --board room' -- \
    show --image part.img --config room.conf
unchanged_by part.img sec 2 '--secure-dir applies to room board targets' -- \
    show --image part.img --secure-dir sec
unchanged_by part.img sec 2 "--board: expected host or room, got 'bogus'" -- \
    show --image part.img --board bogus --config room.conf
unchanged_by part.img sec 2 '--board given twice' -- \
    show --image part.img --board room --board room --config room.conf
prov part.img $SERIAL --config room.conf
unchanged_by part.img sec 2 '--config applies to room board targets' -- provision "${ARGS[@]}"
prov part.img $SERIAL --board room --board host --config room.conf
unchanged_by part.img sec 2 '--board given twice' -- provision "${ARGS[@]}"
unchanged_by part.img sec 2 '--board: expected host or room' -- \
    factory-reset --image part.img --board nand --config room.conf --yes
unchanged_by part.img sec 2 '--secure-dir applies to room board targets' -- \
    verify --image part.img --secure-dir sec
[[ -z $(ls -A sec) ]] && ok || bad "a usage error wrote into the secure dir"

# ------------------------------------------ provision: first contact
prov part.img $SERIAL "${R[@]}"
run 0 "provisioned part.img: serial $SERIAL, trial D1000001, model RoomKit" -- provision "${ARGS[@]}"
grep -q 'first contact: created the device key .*sec/device.key' out.txt && ok ||
    bad "provision on an empty secure dir did not report first contact"
[[ -s sec/device.key && $(stat -c %s sec/device.key) -eq 32 ]] && ok || bad "no 32-byte device.key"
[[ $(stat -c %a sec/device.key) == 600 ]] && ok || bad "device.key mode is not 0600"
[[ -s sec/counter ]] && ok || bad "first contact created no counter"
cmp -s part.img blank.img && bad "provision did not write the flash" || ok
grep -qa "$SERIAL" part.img && ok || bad "the record (serial) is not on the flash"
# A private copy of the fresh provisioning, for the damage checks.
cp part.img prov.img && cp -a sec prov.sec

# ------------------------------------------------ show and verify
unchanged_by part.img sec 0 'provisioning: ok' -- show --image part.img "${R[@]}"
grep -Fqx "target: room board flash (partition image file), secure element in $WORK/sec" out.txt &&
    ok || bad "show does not describe the room target"
grep -Eq "^device: serial $SERIAL," out.txt && ok || bad "show does not name the hardware serial"
grep -q 'trial           D1000001' out.txt && ok || bad "show does not list the trial"
unchanged_by part.img sec 0 '' -- show --image part.img "${R[@]}" --json
cp out.txt show.json
python3 - "$WORK/sec" "$SERIAL" <<'EOF' && ok || bad "show --json is not the expected JSON"
import json, sys
d = json.load(open("show.json"))
assert isinstance(d["target"], str), d
assert d["target"] == "room board flash (partition image file), secure element in " + sys.argv[1], d["target"]
p = d["provisioning"]
assert isinstance(p, dict) and p["status"] == "ok" and p["serial"] == sys.argv[2], p
assert p["trial"] == "D1000001", p
EOF
unchanged_by part.img sec 0 'part.img: intact' -- verify --image part.img "${R[@]}"
# --secure-dir wins over the config's secure_dir.
mkconf other.conf "$WORK/part.img" "$WORK/no-such-dir"
unchanged_by part.img sec 0 'provisioning: ok' -- \
    show --image part.img --board room --config other.conf --secure-dir sec
# TARGET wins over the config's flash key.
mkconf elsewhere.conf "$WORK/blank.img" "$WORK/sec"
unchanged_by part.img sec 0 'provisioning: ok' -- show --image part.img --board room --config elsewhere.conf

# ------------------------------------------- the room agent boots from it
if [[ -n $AGENT ]]; then
    agent room.conf
    if [[ $ARC -eq 0 ]] && grep -q "provisioned: serial $SERIAL" agent.txt; then ok
    else bad "spark-agent-room does not boot from the provisioned flash (exit $ARC)"; sed 's/^/    /' agent.txt >&2; fi
    # What the agent wrote is still intact for sparkflash.
    unchanged_by part.img sec 0 'part.img: intact' -- verify --image part.img "${R[@]}"
else
    echo "SKIP: spark-agent-room checks: no agent given"
fi

# --------------------------------------------- verify names the damage
cp prov.img dmg.img && cp -a prov.sec dmg.sec
mkconf dmg.conf "$WORK/dmg.img" "$WORK/dmg.sec"
off=$(grep -obUa "$SERIAL" dmg.img | head -1 | cut -d: -f1)
if [[ -n $off ]]; then
    ok
    printf 'X' | dd of=dmg.img bs=1 seek=$((off + 3)) conv=notrunc status=none
else
    bad "the serial is not on the provisioned flash"
fi
cmp -s dmg.img prov.img && bad "flipping a record byte did not change dmg.img" || ok
unchanged_by dmg.img dmg.sec 1 'DAMAGED store' -- verify --image dmg.img --board room --config dmg.conf
grep -Eq 'damage located in store sector [0-9]+ \(flash offset 0x' out.txt && ok ||
    bad "verify does not name the damaged store sector"
unchanged_by dmg.img dmg.sec 0 'provisioning: absent' -- show --image dmg.img --board room --config dmg.conf

# ----------------------------------------------------- refusals
# A factory-fresh room device that has had first contact: T / Tsec.
cp blank.img t.img && mkdir -m 700 tsec
mkconf t.conf "$WORK/t.img" "$WORK/tsec"
run 0 'factory reset t.img' -- factory-reset --image t.img --board room --config t.conf --yes
grep -q 'first contact' out.txt && ok || bad "factory-reset on an empty secure dir: no first contact"
T=(--board room --config t.conf)
mkdir -m 700 empty

# --create: sparkflash never creates a room board's flash.
prov t.img $SERIAL "${T[@]}" --create
refused t.img tsec 'sparkflash provision: refused: --create: .*drop --create' -- provision "${ARGS[@]}"
prov new.img $SERIAL "${T[@]}" --create
refused t.img tsec 'refused: --create:' -- provision "${ARGS[@]}"
[[ ! -e new.img ]] && ok || bad "refused --create made new.img"
prov missing.img $SERIAL "${T[@]}"
refused t.img tsec 'refused: --image: cannot access missing.img' -- provision "${ARGS[@]}"
run 1 'refused: --image: cannot access missing.img' -- show --image missing.img "${T[@]}"
[[ ! -e missing.img ]] && ok || bad "a refusal created missing.img"

# --secure-dir that does not exist.
prov t.img $SERIAL "${T[@]}" --secure-dir "$WORK/nodir"
refused t.img tsec 'refused: --secure-dir: .*nodir is not a directory' -- provision "${ARGS[@]}"
refused part.img sec 'refused: --secure-dir: .*nodir is not a directory' -- \
    show --image part.img "${R[@]}" --secure-dir nodir
refused part.img sec 'refused: --secure-dir: .*nodir is not a directory' -- \
    factory-reset --image part.img "${R[@]}" --secure-dir nodir --yes
[[ ! -e nodir ]] && ok || bad "a refusal created the secure dir"
mkconf nodir.conf "$WORK/t.img" "$WORK/nodir"
refused t.img tsec 'refused: --secure-dir: .*nodir is not a directory' -- \
    verify --image t.img --board room --config nodir.conf

# A secure dir without a device key: nothing to read with...
refused part.img empty 'refused: --secure-dir: .*empty holds no device key' -- \
    show --image part.img "${R[@]}" --secure-dir empty
refused part.img empty 'refused: --secure-dir: .*empty holds no device key' -- \
    verify --image part.img "${R[@]}" --secure-dir empty
# ... and a new key must not be made for a flash that holds records.
prov part.img $SERIAL "${R[@]}" --secure-dir empty
refused part.img empty 'refused: --secure-dir: .*holds no device key but .*holds records' -- \
    provision "${ARGS[@]}"
refused part.img empty 'refused: --secure-dir: .*holds records' -- \
    factory-reset --image part.img "${R[@]}" --secure-dir empty --yes
refused part.img sec 'refused: --secure-dir: .*holds records' -- \
    factory-reset --image part.img "${R[@]}" --secure-dir empty --yes
[[ -z $(ls -A empty) ]] && ok || bad "a refusal wrote into the empty secure dir"

# --serial must be the hardware serial of the config.
prov t.img RKT0000002 "${T[@]}"
refused t.img tsec "refused: serial: the device.s hardware serial is $SERIAL" -- provision "${ARGS[@]}"
# ... also at first contact (an empty secure dir and an erased flash): the
# refusal must not leave a device key behind.
cp blank.img fresh.img && mkdir -m 700 fresh.sec
mkconf fresh.conf "$WORK/fresh.img" "$WORK/fresh.sec"
prov fresh.img RKT0000002 --board room --config fresh.conf
refused fresh.img fresh.sec "refused: serial: the device.s hardware serial is $SERIAL" -- provision "${ARGS[@]}"
[[ ! -e fresh.sec/device.key ]] && ok || bad "a refused provision (serial mismatch) created fresh.sec/device.key"

# Already provisioned.
prov part.img $SERIAL "${R[@]}" --trial D2000002
refused part.img sec "refused: image: part.img is already provisioned \(serial $SERIAL, trial D1000001\).*factory-reset" -- \
    provision "${ARGS[@]}"

# Read-only partition image (mode bits count, even for root).
cp t.img ro.img && cp -a tsec ro.sec && chmod 444 ro.img
mkconf ro.conf "$WORK/ro.img" "$WORK/ro.sec"
prov ro.img $SERIAL --board room --config ro.conf
refused ro.img ro.sec 'refused: --image: ro.img is read-only' -- provision "${ARGS[@]}"
refused ro.img ro.sec 'refused: --image: ro.img is read-only' -- \
    factory-reset --image ro.img --board room --config ro.conf --yes
unchanged_by ro.img ro.sec 0 'provisioning: absent' -- show --image ro.img --board room --config ro.conf

# Too small: 256 KiB cannot hold the store.
erased small.img 262144 && mkdir -m 700 small.sec
mkconf small.conf "$WORK/small.img" "$WORK/small.sec"
prov small.img $SERIAL --board room --config small.conf
refused small.img small.sec 'refused: --image: small.img has 262144 usable bytes.*at least 524288' -- \
    provision "${ARGS[@]}"
refused small.img tsec 'refused: --image: small.img has 262144 usable bytes' -- \
    show --image small.img --board room --config t.conf

# An erase unit the store cannot use (fewer than 3 sectors in its 512 KiB
# region, or too small for the largest record): refused before first contact
# creates a key, for writing commands and for inspection alike.
erased geo.img 2097152 && mkdir -m 700 geo.sec
for ss in 262144 4096; do
    mkconf geo.conf "$WORK/geo.img" "$WORK/geo.sec" "flash_sector_size = $ss"
    prov geo.img $SERIAL --board room --config geo.conf
    refused geo.img geo.sec "refused: flash_sector_size: geo.img erases in units of $ss bytes" -- \
        provision "${ARGS[@]}"
    refused geo.img geo.sec "refused: flash_sector_size: geo.img erases in units of $ss bytes" -- \
        factory-reset --image geo.img --board room --config geo.conf --yes
done
[[ -z $(ls -A geo.sec) ]] && ok || bad "a refused command left files in geo.sec: $(ls geo.sec)"

# No hardware serial at all (no serial= and no device tree here): refused
# before first contact, naming what to set.
if [[ ! -e /proc/device-tree/serial-number ]]; then
    mkconf ns.conf "$WORK/geo.img" "$WORK/geo.sec"
    sed -i '/^serial = /d' ns.conf
    prov geo.img $SERIAL --board room --config ns.conf
    refused geo.img geo.sec 'refused: serial: no hardware serial.*set serial= in the board config' -- \
        provision "${ARGS[@]}"
    [[ -z $(ls -A geo.sec) ]] && ok || bad "a refused provision left files in geo.sec"
fi

# A character device that is not MTD (auto-detected as a room target).
refused part.img sec 'refused: --image: .*/dev/null: a character device but not an MTD' -- \
    show --image /dev/null --config room.conf
prov /dev/null $SERIAL --config t.conf --secure-dir empty
refused t.img empty 'refused: --image: .*/dev/null: a character device but not an MTD' -- \
    provision "${ARGS[@]}"
refused t.img tsec 'refused: --image: .*not an MTD' -- factory-reset --image /dev/null --config t.conf --yes
[[ -z $(ls -A empty) ]] && ok || bad "a refusal on /dev/null wrote into the empty secure dir"
# --board host on a device.
refused part.img sec 'refused: --image: /dev/null is a device; expected a host-board image' -- \
    show --image /dev/null --board host

# A config file with an unknown key names the file, line and key.
cp t.conf badkey.conf && echo "colour = blue" >>badkey.conf
n=$(wc -l <badkey.conf)
refused t.img tsec "refused: config: .*badkey.conf:$n: key 'colour'" -- \
    show --image t.img --board room --config badkey.conf
prov t.img $SERIAL --board room --config badkey.conf
refused t.img tsec "refused: config: .*badkey.conf:$n: key 'colour'" -- provision "${ARGS[@]}"
refused t.img tsec 'refused: config: .*nosuch.conf' -- show --image t.img --board room --config nosuch.conf

# After all that, the device still takes a good provisioning (no new key).
prov t.img $SERIAL "${T[@]}"
run 0 "provisioned t.img: serial $SERIAL" -- provision "${ARGS[@]}"
grep -q 'first contact' out.txt && bad "second contact created a new key" || ok

# ------------------------------------------------------- factory-reset
refused part.img sec 'refused: .*--yes is required' -- factory-reset --image part.img "${R[@]}"
key_before=$(sha256sum <sec/device.key)
run 0 'factory reset part.img' -- factory-reset --image part.img "${R[@]}" --yes
[[ $(sha256sum <sec/device.key) == "$key_before" ]] && ok || bad "factory-reset changed the device key"
unchanged_by part.img sec 0 'provisioning: absent \(not provisioned\)' -- show --image part.img "${R[@]}"
unchanged_by part.img sec 0 'intact' -- verify --image part.img "${R[@]}"
if [[ -n $AGENT ]]; then
    agent room.conf
    [[ $ARC -eq 78 ]] && grep -q 'not provisioned' agent.txt && ok ||
        { bad "spark-agent-room after factory-reset: exit $ARC, expected 78 (not provisioned)"; sed 's/^/    /' agent.txt >&2; }
fi
prov part.img $SERIAL "${R[@]}" --trial D3000003
run 0 "provisioned part.img: serial $SERIAL, trial D3000003" -- provision "${ARGS[@]}"
unchanged_by part.img sec 0 'trial           D3000003' -- show --image part.img "${R[@]}"
if [[ -n $AGENT ]]; then
    agent room.conf
    [[ $ARC -eq 0 ]] && grep -q "provisioned: serial $SERIAL, trial D3000003" agent.txt && ok ||
        { bad "spark-agent-room does not boot after re-provisioning (exit $ARC)"; sed 's/^/    /' agent.txt >&2; }
fi

# ------------------------------------------------------------------ flash
run 0 'wrote fw.pem' -- keygen --out fw.pem
run 0 '' -- keygen --out other.pem
head -c 102400 /dev/urandom >v1.bin
head -c 110000 /dev/urandom >v2.bin
cp v1.bin payload.bin
run 0 'version 1.0.0' -- sign --key fw.pem --version 1.0.0 --in payload.bin --out fw.img
run 0 'version 1.2.0' -- sign --key fw.pem --version 1.2.0 --in v2.bin --out fw2.img
cp blank.img fpart.img && mkdir -m 700 fsec
# The config's flash key names part.img: TARGET must win, part.img must not change.
mkconf fw.conf "$WORK/part.img" "$WORK/fsec"
F=(--board room --config fw.conf)
prov fpart.img $SERIAL "${F[@]}"
run 0 'provisioned fpart.img' -- provision "${ARGS[@]}"
part_before=$(fingerprint part.img sec)
run 0 'flashed fw.img \(version 1.0.0.*slot 0 of fpart.img' -- \
    flash --image fpart.img "${F[@]}" --firmware fw.img --pubkey fw.pem.pub
[[ $(fingerprint part.img sec) == "$part_before" ]] && ok || bad "flash wrote the config's flash, not TARGET"
unchanged_by fpart.img fsec 0 'firmware: slot 0, version 1.0.0.*: ok' -- show --image fpart.img "${F[@]}"
unchanged_by fpart.img fsec 0 'intact: .*firmware ok' -- verify --image fpart.img "${F[@]}" --pubkey fw.pem.pub
unchanged_by fpart.img fsec 1 'DAMAGED firmware slot 0.*signature' -- \
    verify --image fpart.img "${F[@]}" --pubkey other.pem.pub
run 0 'flashed fw2.img \(version 1.2.0.*slot 1 .*was 1.0.0' -- \
    flash --image fpart.img "${F[@]}" --firmware fw2.img --pubkey fw.pem.pub
refused fpart.img fsec 'refused: version: fw.img is 1.0.0, older than the active 1.2.0.*--allow-downgrade' -- \
    flash --image fpart.img "${F[@]}" --firmware fw.img --pubkey fw.pem.pub
refused fpart.img fsec 'refused: .*signature of fw2.img does not verify with other.pem.pub' -- \
    flash --image fpart.img "${F[@]}" --firmware fw2.img --pubkey other.pem.pub
cp blank.img fro.img && cp -a fsec fro.sec && chmod 444 fro.img
refused fro.img fro.sec 'refused: --image: fro.img is read-only' -- \
    flash --image fro.img --board room --config fw.conf --secure-dir fro.sec --firmware fw2.img --pubkey fw.pem.pub
erased f512.img 524288 && cp -a fsec f512.sec
refused f512.img f512.sec 'refused: --image: f512.img has 524288 usable bytes' -- \
    flash --image f512.img --board room --config fw.conf --secure-dir f512.sec --firmware fw2.img --pubkey fw.pem.pub
run 0 'flashed fw.img \(version 1.0.0.*was 1.2.0' -- \
    flash --image fpart.img "${F[@]}" --firmware fw.img --pubkey fw.pem.pub --allow-downgrade
unchanged_by fpart.img fsec 0 'intact: .*firmware ok' -- verify --image fpart.img "${F[@]}" --pubkey fw.pem.pub
run 0 'active firmware kept' -- factory-reset --image fpart.img "${F[@]}" --yes
unchanged_by fpart.img fsec 0 'firmware: slot 0, version 1.0.0.*: ok' -- show --image fpart.img "${F[@]}"

# --------------------------------------------------------- block device
# A loop device over a copy of an erased image, without --board: the node
# makes it a room target.
skip=
if [[ $(id -u) -ne 0 ]]; then
    skip="not root"
elif ! command -v losetup >/dev/null; then
    skip="no losetup"
else
    cp blank.img loop.img
    if ! LOOP=$(losetup -f --show loop.img 2>loop.err) || [[ ! -b $LOOP ]]; then
        skip="losetup -f --show failed: $(head -1 loop.err)"
        LOOP=
    fi
fi
if [[ -n $skip ]]; then
    echo "SKIP: block device checks: $skip"
else
    echo "block device checks on $LOOP"
    mkdir -m 700 lsec
    mkconf loop.conf /dev/null "$WORK/lsec"
    L=(--config loop.conf)
    prov "$LOOP" $SERIAL "${L[@]}"
    run 0 "provisioned $LOOP: serial $SERIAL" -- provision "${ARGS[@]}"
    grep -q 'first contact' out.txt && ok || bad "provision on $LOOP: no first contact"
    unchanged_by "$LOOP" lsec 0 'provisioning: ok' -- show --image "$LOOP" "${L[@]}"
    grep -Fqx "target: room board flash (block device), secure element in $WORK/lsec" out.txt &&
        ok || bad "show does not name $LOOP a block device"
    unchanged_by "$LOOP" lsec 0 '' -- show --image "$LOOP" "${L[@]}" --json
    python3 -c 'import json,sys; d=json.load(open("out.txt")); assert d["target"].startswith("room board flash (block device)"); assert d["provisioning"]["status"]=="ok"' &&
        ok || bad "show --json on $LOOP"
    unchanged_by "$LOOP" lsec 0 'intact' -- verify --image "$LOOP" "${L[@]}"
    prov "$LOOP" $SERIAL "${L[@]}"
    refused "$LOOP" lsec 'refused: image: .* is already provisioned' -- provision "${ARGS[@]}"
    refused "$LOOP" lsec 'refused: --secure-dir: .*holds records' -- \
        factory-reset --image "$LOOP" "${L[@]}" --secure-dir empty --yes
    run 0 "factory reset $LOOP" -- factory-reset --image "$LOOP" "${L[@]}" --yes
    unchanged_by "$LOOP" lsec 0 'provisioning: absent' -- show --image "$LOOP" "${L[@]}"
    run 0 "provisioned $LOOP" -- provision "${ARGS[@]}"
    # The loop device's backing file holds what was written through the device.
    losetup -d "$LOOP" && LOOP=
    grep -qa "$SERIAL" loop.img && ok || bad "the record is not in the loop device's backing file"
fi

echo "sparkflash room board tests: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
