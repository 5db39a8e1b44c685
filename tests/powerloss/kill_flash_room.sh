#!/usr/bin/env bash
# sparkflash flash on a room board target, killed at every write it makes.
#
# The NOR-model sweep (sweep_flash.c) cuts power inside the slots code on the
# host board. This one runs the real binary on the room board's flash code
# (pwrite + fdatasync on a partition image, the counter file in the secure
# directory) and SIGKILLs it at the N-th pwrite64, fdatasync, rename and
# fsync of one update, for every N (strace fault injection: the process dies
# on entering that call). After each kill:
#   - verify --pubkey exits 0: every record intact, the boot record names a
#     slot whose image matches its hash and signature;
#   - the active firmware is the old version or the new one, never neither;
#   - a second flash of the new image succeeds and verify names the new one.
# A kill is a process death, not a power cut: what was written but not yet
# synced survives in the page cache. Torn and lost writes are the NOR sweep's.
#
# usage: kill_flash_room.sh PATH/TO/sparkflash
set -uo pipefail
SF=$(readlink -f "${1:?usage: $0 PATH/TO/sparkflash}")
if ! command -v strace >/dev/null; then
    echo "FAIL: strace is not installed (scripts/deps.sh installs it)"
    exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kill-flash-room.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

PASS=0
FAIL=0
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

"$SF" keygen --out fw.pem >/dev/null || exit 1
head -c 300000 /dev/urandom >payload.bin
"$SF" sign --key fw.pem --version 1.0.0 --in payload.bin --out old.img >/dev/null || exit 1
head -c 300000 /dev/urandom >payload.bin
"$SF" sign --key fw.pem --version 1.1.0 --in payload.bin --out new.img >/dev/null || exit 1

# A provisioned 2 MiB room partition with 1.0.0 active: the state every run
# starts from (copied, with its secure directory, before each run).
mkdir -m 700 base.sec
head -c 2097152 /dev/zero | tr '\000' '\377' >base.img
printf 'serial = RKT0000042\nsecure_backend = file\n' >room.conf
"$SF" provision --image base.img --board room --config room.conf --secure-dir base.sec \
    --serial RKT0000042 --model RoomKit --trial D1000042 --server coaps://127.0.0.1:5684 \
    --licence-pubkey fw.pem.pub --region US --locale en >/dev/null 2>&1 || exit 1
"$SF" flash --image base.img --board room --config room.conf --secure-dir base.sec \
    --firmware old.img --pubkey fw.pem.pub >/dev/null 2>&1 || exit 1

fresh() {
    rm -rf run.img run.sec
    cp base.img run.img && cp -a base.sec run.sec
}
flash_new() { # extra strace arguments before the command, if any
    "$@" "$SF" flash --image run.img --board room --config room.conf --secure-dir run.sec \
        --firmware new.img --pubkey fw.pem.pub
}
active_version() {
    "$SF" verify --image run.img --board room --config room.conf --secure-dir run.sec \
        --pubkey fw.pem.pub >verify.out 2>&1 || return 1
    "$SF" show --json --image run.img --board room --config room.conf --secure-dir run.sec |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["firmware"]["version"])'
}

# How many of each call one whole update makes.
fresh
# LeakSanitizer cannot ptrace a process strace already traces: off under strace.
strace -f -qq -o calls.txt -E ASAN_OPTIONS=detect_leaks=0 -e trace=pwrite64,fdatasync,rename,fsync \
    "$SF" flash --image run.img --board room --config room.conf --secure-dir run.sec \
    --firmware new.img --pubkey fw.pem.pub >/dev/null 2>&1 || { echo "FAIL: untraced flash"; exit 1; }
[[ $(active_version) == 1.1.0 ]] || { echo "FAIL: the update itself does not work"; exit 1; }

total=0
for call in pwrite64 fdatasync rename fsync; do
    n=$(grep -c "${call}(" calls.txt)
    echo "$call: $n calls in one update"
    total=$((total + n))
    for ((k = 1; k <= n; k++)); do
        fresh
        flash_new strace -f -qq -o /dev/null -E ASAN_OPTIONS=detect_leaks=0 -e trace="$call" \
            -e inject="$call:signal=SIGKILL:when=$k" \
            >/dev/null 2>&1
        rc=$?
        if [[ $rc -eq 0 ]]; then
            bad "$call #$k: flash was not killed (exit 0)"
            continue
        fi
        v=$(active_version) || { bad "$call #$k: verify after the kill: $(cat verify.out)"; continue; }
        if [[ $v != 1.0.0 && $v != 1.1.0 ]]; then
            bad "$call #$k: active firmware after the kill is '$v', expected 1.0.0 or 1.1.0"
            continue
        fi
        if ! flash_new env >flash2.out 2>&1 || [[ $(active_version) != 1.1.0 ]]; then
            bad "$call #$k: flashing again after the kill failed: $(tail -1 flash2.out)"
            continue
        fi
        PASS=$((PASS + 1))
    done
done
if [[ $total -lt 20 ]]; then
    bad "only $total calls traced in an update: the trace is not seeing the flash writes"
fi
echo "kill_flash_room: $((PASS + FAIL)) kill points, $PASS left old or new firmware and flashed again, $FAIL failed"
[[ $FAIL -eq 0 ]]
