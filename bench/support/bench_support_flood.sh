#!/usr/bin/env bash
# What a flood on a room's support port costs the agent (docs/SUPPORT.md):
# for each flood rate, the agent's CPU time per second of flood, its peak
# RSS, what it answered, and its DTLS sessions at most. One host floods
# (tests/system/support_flood: authenticated GETs over 4 sessions, as many
# datagrams of random bytes, a refused handshake every 100 ms); the room runs
# in real time with its collector. Loopback only; everything is stopped on
# exit. Prints a Markdown table (BENCHMARKS.md, "Support port under a flood").
# Usage: bench_support_flood.sh [BIN_DIR] [SECONDS_PER_RATE]
set -uo pipefail
B=${1:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}
S=${2:-10}
B=$(cd "$B" && pwd)
# shellcheck source=../../tests/system/e2e_lib.sh
. "$(dirname "$0")/../../tests/system/e2e_lib.sh"
need spark-agent sparkflash spark-collector support_flood
SERIAL=FOC2240Y1BN
PORT=$(free_port)
SPORT=$(free_port)
support_device "$SERIAL" "$PORT" US
"$B/spark-collector" admin --db c.db licence --serial "$SERIAL" --trial-exp 2027-03-01T00:00:00Z >/dev/null
start_collector "$PORT" --clock-start "$START" --clock-rate 1
"$B/spark-agent" --flash "$SERIAL.img" --clock-start "$START" --clock-rate 1 \
    --support-listen "127.0.0.1:$SPORT" >agent.log 2>&1 &
AG=$!
pids+=("$AG")
for _ in $(seq 1 100); do grep -q "licence seq 1 accepted" agent.log && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$AG/stat"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$AG/status"; }
echo "| flood (requests/s, as many garbage datagrams) | agent CPU, ms per s | peak RSS, kB | 2.05 / 4.29 answers |"
echo "|---|---|---|---|"
c0=$(cpu); sleep "$S"; c1=$(cpu)
echo "| none (idle, port open) | $(((c1 - c0) * 10 / S)) | $(hwm) | — |"
for rate in 100 500 2000 8000; do
    c0=$(cpu)
    out=$("$B/support_flood" "127.0.0.1:$SPORT" "$KEYHEX" "$S" "$rate")
    c1=$(cpu)
    ok=$(grep -o '[0-9]* answered 2.05' <<<"$out" | grep -o '^[0-9]*')
    lim=$(grep -o '[0-9]* 4.29' <<<"$out" | grep -o '^[0-9]*')
    echo "| $rate | $(((c1 - c0) * 10 / S)) | $(hwm) | $ok / $lim |"
    sleep 3 # the port drains what the socket held, the buckets refill
done
kill -TERM "$AG"
wait "$AG"
grep -o "support port: .*" agent.log
stop_collector
