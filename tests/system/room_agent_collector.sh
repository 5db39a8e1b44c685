#!/usr/bin/env bash
# The room agent against a collector, loopback only, every server started and
# stopped here. In the aarch64 build this is the real target program under
# qemu-aarch64 talking to the host's (x86-64) spark-collector:
#   1. a factory-fresh room partition provisioned by sparkflash (--board room)
#      and enrolled at the collector;
#   2. spark-agent-room reports provisioning and receives its licence (R1);
#   3. calls, a meeting and sharing arrive on the calling stack's socket
#      (docs/ROOM_BOARD.md); the collector's totals equal exactly what was sent.
# Usage: room_agent_collector.sh ROOM_AGENT SPARKFLASH COLLECTOR_BIN_DIR [file|tpm]
#   ROOM_AGENT, SPARKFLASH: the programs under test (wrappers under qemu in a
#   cross build); COLLECTOR_BIN_DIR holds the host's spark-collector and
#   sparkflash (for the licence key). Exit 77 (skipped) if that is missing.
#   The secure element: file (default) or tpm (a swtpm started here, with a
#   fresh state directory; the wrapped key blob must then be all that is in
#   the secure directory).
set -uo pipefail
AGENT=$(readlink -f "$1")
SF=$(readlink -f "$2")
HOST=$(readlink -f "$3")
BACKEND=${4:-file}
# shellcheck source=../tpm/swtpm_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tpm/swtpm_lib.sh" || exit 1
for b in spark-collector sparkflash; do
    if [ ! -x "$HOST/$b" ]; then
        echo "SKIP: no host $b in $HOST (build the default preset first)"
        exit 77
    fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/room-e2e.XXXXXX")
cd "$work" || exit 1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    swtpm_stop
    rm -rf "$work"
}
trap cleanup EXIT
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }
die() { echo "FAIL $*"; for f in *.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SERIAL=RQE0000001
"$HOST/sparkflash" keygen --out lic.pem >/dev/null || die "keygen"

# The device: an erased 1 MiB partition, an empty secure directory.
head -c 1048576 /dev/zero | tr '\000' '\377' >part.img
mkdir -m 700 sec
if [ "$BACKEND" = tpm ]; then
    swtpm_start "$work/tpm" || exit 1
fi
{
    echo "flash = $work/part.img"
    echo "secure_dir = $work/sec"
    echo "fb = none"
    echo "input = none"
    echo "call_socket = $work/call.sock"
    echo "serial = $SERIAL"
    echo "iface = lo"
    echo "support_listen = off"
    echo "secure_backend = $BACKEND"
    [ "$BACKEND" = tpm ] && echo "tpm = $SWTPM_TCTI"
} >room.conf

"$SF" provision --image part.img --board room --config room.conf --serial "$SERIAL" \
    --model "Spark Room Kit" --trial D1000001 --server "coaps://127.0.0.1:$PORT" \
    --licence-pubkey lic.pem.pub --region US --locale en --enroll-out enroll.json \
    >provision.log 2>&1 || die "sparkflash provision (room target)"
"$HOST/spark-collector" admin --db c.db enroll --from enroll.json >/dev/null || die "enroll"
"$HOST/spark-collector" admin --db c.db licence --serial "$SERIAL" \
    --trial-exp 2099-01-01T00:00:00Z >/dev/null || die "licence"
"$HOST/spark-collector" serve --db c.db --listen "127.0.0.1:$PORT" --licence-key lic.pem \
    >collector.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do grep -q "listening on 127.0.0.1:$PORT" collector.log && break; sleep 0.1; done
grep -q "listening on 127.0.0.1:$PORT" collector.log || die "collector did not start"

# The agent, bounded: it stops by itself after 90 s at most and drains its queue.
"$AGENT" --config room.conf --log-stderr --run-for 90 --report-interval 60 --report-batch 0 \
    --drain 10 >agent.log 2>&1 &
AGENT_PID=$!
pids+=("$AGENT_PID")

# Calls are full once the licence is in (before it: emergency numbers only).
for _ in $(seq 1 600); do
    grep -Eq "licence seq [0-9]+ accepted" agent.log && break
    kill -0 "$AGENT_PID" 2>/dev/null || die "the agent stopped before its licence came"
    sleep 0.1
done
grep -Eq "licence seq [0-9]+ accepted" agent.log || die "no licence within 60 s"

# The calling stack: one datagram socket of its own, as on the device.
cat >stack.py <<'PY'
import socket, sys, time
sock_path, work = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(work + "/stack.sock")
s.settimeout(1.0)
deadline = time.time() + 60
while True:  # the agent binds its socket once the board is up (slow under qemu)
    try:
        s.sendto(b"hello", sock_path)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("agent socket never appeared")
        time.sleep(0.2)
def send(msg):
    s.sendto(msg.encode(), sock_path)
def expect(word, deadline_s=30):
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            got = s.recv(256).decode().strip()
        except socket.timeout:
            continue
        if got.startswith(word):
            return got
    sys.exit("no '%s' from the agent" % word)
for cid, secs in ((1, 75), (2, 30)):
    send("dial %d 5550100" % cid)
    expect("allow %d" % cid)
    send("ended %d %d" % (cid, secs))
send("meeting 600")
send("share 120")
send("people 4")
print("stack: sent 2 calls (105 s), 1 meeting (600 s), 120 s of sharing")
PY
timeout 120 python3 stack.py "$work/call.sock" "$work" >stack.log 2>&1 || die "calling stack: $(cat stack.log)"

total() { "$HOST/spark-collector" admin --db c.db totals --serial "$SERIAL" | awk -v f="$1" '$1 == f {print $2}'; }
# Usage is sent when its interval closes (60 s) or at the agent's stop.
for _ in $(seq 1 150); do
    [ "$(total meeting_seconds)" = 600 ] && [ "$(total calls)" = 2 ] && break
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 1
done
kill -TERM "$AGENT_PID" 2>/dev/null
wait "$AGENT_PID"
rc=$?
check "agent stopped cleanly (exit $rc)" test "$rc" -eq 0
check "provisioning report stored" grep -q "provisioning" <("$HOST/spark-collector" admin --db c.db show --serial "$SERIAL")
check "licence received and accepted" grep -Eq "licence seq [0-9]+ accepted" agent.log
check "calls 2" test "$(total calls)" = 2
check "call_seconds 105" test "$(total call_seconds)" = 105
check "meetings 1" test "$(total meetings)" = 1
check "meeting_seconds 600" test "$(total meeting_seconds)" = 600
check "share_seconds 120" test "$(total share_seconds)" = 120
check "no call blocked" test "$(total calls_blocked)" = 0
check "no dialled number in the agent's log" bash -c "! grep -q 5550100 agent.log"
check "the device PSK is not in the flash in clear (sealed)" python3 -c '
import json, sys
psk = json.load(open("enroll.json"))["psk"]
img = open("part.img", "rb").read()
sys.exit(len(psk) < 32 or psk.lower().encode() in img.lower() or bytes.fromhex(psk) in img)'
if [ "$BACKEND" = tpm ]; then
    check "tpm: the secure directory holds only the wrapped key blob" \
        test "$(ls sec)" = device.key
    check "tpm: the blob is a TPM key, not a raw key" grep -q "^spark-tpm-key v1" sec/device.key
    check "tpm: no 'file' warning" bash -c "! grep -q 'secure_backend = file' agent.log"
else
    check "file: the agent warns about the file back end" \
        grep -q "secure_backend = file: the device key and the rollback counter are plain files" agent.log
fi
if [ "$fail" -ne 0 ]; then
    for f in agent.log collector.log; do echo "--- $f"; tail -30 "$f"; done
    "$HOST/spark-collector" admin --db c.db show --serial "$SERIAL"
    exit 1
fi
echo "PASS: the room agent reported to the collector; totals match what the stack sent"
