#!/usr/bin/env bash
# The room agent's memory after a simulated week: spark-agent-room (the
# native build: under qemu the resident set would be the emulator's) on a
# provisioned room partition with its secure element on swtpm, its clock run
# 10080x faster by faketime (a week in a minute), the calling stack sending
# a call, a meeting and sharing every 0.25 s (~every 42 simulated minutes).
# The collector is unreachable (DTLS timers do not survive a 10080x clock):
# usage queues in flash, as in a week offline. Prints VmRSS/VmHWM after
# start-up and at the end of the week.
# usage: bench/aarch64/room_week_rss.sh [BIN_DIR]   (default build/bin)
set -euo pipefail
B=$(readlink -f "${1:-build/bin}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/tpm/swtpm_lib.sh
source "$ROOT/tests/tpm/swtpm_lib.sh"
work=$(mktemp -d /tmp/room-week.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; swtpm_stop; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
swtpm_start "$work/tpm"
head -c 1048576 /dev/zero | tr '\000' '\377' >part.img
mkdir -m 700 sec
cat >room.conf <<CONF
flash = $work/part.img
secure_dir = $work/sec
tpm = $SWTPM_TCTI
serial = RWK0000001
fb = none
input = none
call_socket = $work/call.sock
iface = lo
support_listen = off
CONF
"$B/sparkflash" keygen --out lic.pem >/dev/null
"$B/sparkflash" provision --image part.img --board room --config room.conf --serial RWK0000001 \
    --model "Spark Room Kit" --trial D1000001 --server coaps://127.0.0.1:9 \
    --licence-pubkey lic.pem.pub --region US --locale en >/dev/null 2>&1
faketime -f "+0 x10080" "$B/spark-agent-room" --config room.conf --log-stderr --run-for 604800 \
    --report-batch 3600 >agent.log 2>&1 &
FT=$!
pids+=("$FT")
# faketime runs the program as its child (it keeps the clock's shared memory).
for _ in $(seq 1 50); do
    AGENT=$(pgrep -P "$FT" | head -1 || true)
    [ -n "$AGENT" ] && break
    sleep 0.1
done
[ -n "$AGENT" ] || { echo "the agent did not start"; cat agent.log; exit 1; }
python3 - "$work" <<'PY' &
import socket, sys, time
work = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(work + "/stack.sock")
end = time.time() + 62
i = 0
while time.time() < end:
    try:
        i += 1
        for m in ("dial %d 5550100" % i, "ended %d 600" % i, "meeting 1800", "share 300", "people 5"):
            s.sendto(m.encode(), work + "/call.sock")
    except OSError:
        pass
    time.sleep(0.25)
PY
pids+=($!)
rss() {
    awk '/^(VmRSS|VmHWM)/ {printf "%s %s kB  ", $1, $2}' "/proc/$AGENT/status"
    awk '/^(Pss|Private_Dirty):/ {printf "%s %s kB  ", $1, $2}' "/proc/$AGENT/smaps_rollup"
    echo
}
sleep 3
echo "after start-up (~8 simulated hours):"; echo "  $(rss)"
for _ in $(seq 1 120); do
    sleep 0.5
    kill -0 "$AGENT" 2>/dev/null || break
    last=$(rss 2>/dev/null || true)
done
wait "$FT" || true
echo "end of the simulated week:"; echo "  $last"
grep -E "stopping:" agent.log | sed 's/^/  agent: /'
