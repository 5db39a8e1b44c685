#!/usr/bin/env bash
# The room board's secure element on a TPM 2.0: Debian's swtpm, started here
# on loopback with a fresh state directory, stopped on any exit.
#   1. test_room_tpm (cmocka): counter and key, the key cannot be exported,
#      deleted counter, changed key blob, no TPM, NV index held by another;
#   2. the counter survives a restart of swtpm with its state;
#   3. rollback: an old flash image restored together with its old secure
#      directory is detected (sparkflash show/verify, and the agent refuses
#      the old trial history), where the file back end is fooled by the same
#      restore (the hole the TPM closes);
#   4. the key blob is useless on another TPM;
#   5. the agent on that broken TPM, and with no TPM there: the safe mode
#      (a 911 asked of the agent is placed, an ordinary number refused), one
#      clear line, the setup screen saying why.
# usage: tpm_secure.sh TEST_ROOM_TPM SPARKFLASH ROOM_AGENT STACK_SIM [EMULATOR]
#   SPARKFLASH, ROOM_AGENT and STACK_SIM run as given (wrappers under qemu in
#   a cross build); TEST_ROOM_TPM runs under EMULATOR when one is given.
set -uo pipefail
TEST=$(readlink -f "$1")
SF=$(readlink -f "$2")
AGENT=$(readlink -f "$3")
SIM=$(readlink -f "$4")
EMU=${5:-}
# shellcheck source=swtpm_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/swtpm_lib.sh" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/spark-tpm.XXXXXX")
cleanup() { swtpm_stop; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }

swtpm_start "$work/tpm" || exit 1
echo "== 1. secure element unit tests against swtpm ($SWTPM_TCTI)"
SPARK_TEST_TPM=$SWTPM_TCTI $EMU "$TEST" || fail=$((fail + 1))

# A room device: 1 MiB partition image, secure dir, config naming the TPM.
mkdev() { # NAME BACKEND
    head -c 1048576 /dev/zero | tr '\000' '\377' >"$1.img"
    mkdir -m 700 "$1.sec"
    {
        echo "flash = $work/$1.img"
        echo "secure_dir = $work/$1.sec"
        echo "secure_backend = $2"
        echo "tpm = $SWTPM_TCTI"
        echo "tpm_nv_index = 0x01800520"
        echo "serial = RTP0000001"
        echo "fb = none"
        echo "input = none"
        echo "call_socket = none"
        echo "iface = lo"
        echo "support_listen = off"
    } >"$1.conf"
}
sf() { local dev=$1; shift; "$SF" "$@" --image "$dev.img" --board room --config "$dev.conf"; }
provision() {
    sf "$1" provision --serial RTP0000001 --model "Spark Room Kit" --trial D1000001 \
        --server coaps://127.0.0.1:5684 --licence-pubkey lic.pem.pub --region US --locale en \
        >>"$1.log" 2>&1
}
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["store"][sys.argv[1]])' "$1"; }
counter_hw() { sf "$1" show --json 2>/dev/null | json_field counter_hw; }
rollback() { sf "$1" show --json 2>/dev/null | json_field rollback; }
snapshot() { rm -rf "$1.old.img" "$1.old.sec"; cp "$1.img" "$1.old.img"; cp -a "$1.sec" "$1.old.sec"; }
restore() { rm -rf "$1.img" "$1.sec"; cp "$1.old.img" "$1.img"; cp -a "$1.old.sec" "$1.sec"; }
# A trial history bound to the counter: factory-reset writes a fresh one
# (a monotonic record, so the counter moves), then provision again.
cycle() { sf "$1" factory-reset --yes >>"$1.log" 2>&1 && provision "$1"; }

openssl ecparam -name prime256v1 -genkey -noout -out lic.pem 2>/dev/null
openssl ec -in lic.pem -pubout -out lic.pem.pub 2>/dev/null

for backend in tpm file; do
    dev=$backend
    mkdev "$dev" "$backend"
    check "$backend: provision on first contact" provision "$dev"
    check "$backend: counter = the flash's binding after provisioning" \
        test "$(counter_hw "$dev")" = "$(sf "$dev" show --json 2>/dev/null | json_field counter_flash)"
    check "$backend: no rollback after provisioning" test "$(rollback "$dev")" = False
    cycle "$dev"
    c1=$(counter_hw "$dev")
    check "$backend: the counter moved with the trial history ($c1)" test "${c1:-0}" -ge 1
    snapshot "$dev" # the old image and its old secure files
    cycle "$dev"
    cycle "$dev"
    c3=$(counter_hw "$dev")
    check "$backend: counter moved on ($c1 -> $c3)" test "${c3:-0}" -gt "${c1:-0}"
    restore "$dev"
done

echo "== 2. rollback: old flash image + its old secure directory"
check "tpm: restored old image is a rollback (show)" test "$(rollback tpm)" = True
sf tpm verify >verify.txt 2>&1
check "tpm: verify refuses it (exit 1)" test $? -eq 1
check "tpm: verify names the rollback" grep -q "rollback" verify.txt
check "tpm: the old trial history is refused" \
    bash -c "'$SF' show --json --image tpm.img --board room --config tpm.conf 2>/dev/null | grep -Eq '\"status\":[[:space:]]*\"rollback\"'"
timeout 120 "$AGENT" --config tpm.conf --log-stderr --run-for 3 >agent.txt 2>&1
check "tpm: the agent sees the rollback" grep -q "rollback: flash binding" agent.txt
check "tpm: the agent does not trust the old trial history" \
    grep -q "trial history not loaded (.*rollback.*): failing safe" agent.txt
check "file: the same restore goes unnoticed (why the TPM is needed)" \
    test "$(rollback file)" = False

echo "== 3. the counter survives a restart of the TPM"
before=$(counter_hw tpm)
swtpm_stop
swtpm_start "$work/tpm" || exit 1
check "counter after swtpm restart = before ($before)" test "$(counter_hw tpm)" = "$before"
cycle tpm
check "and still increments" test "$(counter_hw tpm)" -gt "$before"

# The agent on a device whose TPM is broken or absent (LABEL, the pattern of
# its one board error line): it must serve emergency calls only, say why on
# the setup screen, and exit 78 when stopped (the device needs repair).
safe_mode() {
    local label=$1 pat=$2 dev=tpm log=${1// /_}.txt before=$fail
    sed -i "s|^fb = .*|fb = $work/fb|; s|^call_socket = .*|call_socket = $work/agent.sock|" "$dev.conf"
    : >fb # not a framebuffer: frames are dropped, but the screen is still drawn and logged
    rm -f agent.sock
    timeout 120 "$AGENT" --config "$dev.conf" --log-stderr --run-for 60 >"$log" 2>&1 &
    local ag=$! i
    for i in $(seq 1 200); do [ -S agent.sock ] && break; sleep 0.05; done
    dial() { "$SIM" --agent "$work/agent.sock" --bind "$work/stack.sock" --region US \
        --timeout-ms 5000 dial "$@" 2>&1; }
    check "$label: 911 asked of the agent is placed" \
        grep -q 'placed (agent allowed)' <<<"$(dial 1 911)"
    check "$label: an ordinary number is refused by the agent" \
        grep -q 'refused (agent denied)' <<<"$(dial 2 5551234)"
    kill -TERM "$ag" 2>/dev/null
    wait "$ag"
    local rc=$?
    check "$label: exit 78 when stopped (the device is unusable)" test "$rc" -eq 78
    check "$label: the agent serves emergency calls only" \
        grep -q "safe mode: emergency numbers only" "$log"
    check "$label: one board error line naming the TPM" \
        test "$(grep -c "^E board: $pat" "$log")" -eq 1
    check "$label: the setup screen says why, emergency calls work" \
        grep -q "screen: Setup required | .* | Emergency calls work\. | .* | Details for the technician: $pat" "$log"
    [ "$fail" -eq "$before" ] || cat "$log"
}

echo "== 4. the key blob on another TPM"
swtpm_stop
swtpm_start "$work/other-tpm" || exit 1
sed -i "s|^tpm = .*|tpm = $SWTPM_TCTI|" tpm.conf
sf tpm show >other.txt 2>&1
check "another TPM cannot use this device's key (exit non-zero)" test $? -ne 0
check "it says why, in one line" grep -q "does not load: it belongs to another TPM" other.txt
check "the blob holds no plain key (not 32 raw bytes)" test "$(stat -c %s tpm.sec/device.key)" -gt 32

echo "== 5. the agent on a broken TPM, and with no TPM there: the safe mode"
safe_mode "broken TPM" "TPM ($SWTPM_TCTI): the device key blob does not load"
sed -i "s|^tpm = .*|tpm = swtpm:host=127.0.0.1,port=9|" tpm.conf
safe_mode "no TPM" "TPM (swtpm:host=127.0.0.1,port=9): no TPM there"

[ "$fail" -eq 0 ] || { echo "$fail check(s) failed"; for f in *.log; do echo "--- $f"; tail -5 "$f"; done; exit 1; }
echo "PASS: TPM secure element"
