#!/usr/bin/env bash
# Issue 12: a flood on a room's support port never delays reporting or
# calling, it is rate-limited, and the port's sessions and the agent's
# memory stay bounded (docs/SUPPORT.md). Loopback only; the collector and
# the flood are started here and stopped by the trap.
#
# The room runs ten simulated seconds per real second with a dial request
# every ten simulated seconds (a third of them 911) and a usage report every
# simulated minute, while support_flood sends, for 20 s from one host: 500
# authenticated GET /support/state a second over 4 DTLS sessions, as many
# datagrams of random bytes (half dressed as DTLS records), and a handshake
# with a refused identity every 100 ms from a new port. Then:
#   - every dial request was answered by the agent, none by the stack's
#     watchdog (docs/EMERGENCY.md: 1 s), and the collector counts them all
#     (those of the last, still open, interval stay queued on flash);
#   - usage reports kept arriving at the collector while the flood ran;
#   - the flood got at most what the per-client rate allows (2 a second
#     after a burst of 10), then 4.29s, then silence;
#   - at most SUPPORT_HANDSHAKES_MAX + SUPPORT_IDLE_SESSIONS_MAX (8) DTLS
#     sessions at once, plus the one being served, and the agent's peak RSS
#     grew by at most 4 MiB
#     (not in the sanitizer build, whose allocator keeps freed memory);
#   - right after the flood, trialctl device gets its answer.
# Usage: support_flood.sh BIN_DIR [SANITIZED: ON|OFF]
set -uo pipefail
B=$1
SANITIZED=${2:-OFF}
# shellcheck source=e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"
need spark-agent sparkflash spark-collector trialctl support_flood
SERIAL=FOC2240Y1FL
PORT=$(free_port)
SPORT=$(free_port)
RATE=10      # simulated seconds per real second
RUN=320      # simulated seconds: 32 s
FLOOD_S=20   # real seconds of flood, from about 5 s in
support_device "$SERIAL" "$PORT" US
"$B/spark-collector" admin --db c.db licence --serial "$SERIAL" --trial-exp 2027-03-01T00:00:00Z \
    >/dev/null
start_collector "$PORT" --clock-start "$START" --clock-rate "$RATE"
calls=0
reported=0 # calls that end in a usage interval closed before the run ends
for t in $(seq 10 10 $((RUN - 20))); do
    if [ $((t % 30)) -eq 0 ]; then to=911; else to=+14155550100; fi
    printf '{"t":%d,"call":{"to":"%s","seconds":5}}\n' "$t" "$to"
    calls=$((calls + 1))
    [ $((t + 5)) -lt $((RUN / 60 * 60)) ] && reported=$((reported + 1))
done >calls.jsonl

"$B/spark-agent" --flash "$SERIAL.img" --clock-start "$START" --clock-rate "$RATE" --run-for "$RUN" \
    --scenario calls.jsonl --report-interval 60 --report-batch 0 --drain 10 \
    --support-listen "127.0.0.1:$SPORT" >agent.log 2>&1 &
AG=$!
pids+=("$AG")
for _ in $(seq 1 100); do grep -q "licence seq 1 accepted" agent.log && break; sleep 0.1; done
check "the room is up with its licence and its support port" \
    grep -q "support port on 127.0.0.1:$SPORT" agent.log
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$AG/status" 2>/dev/null || echo 0; }
cpu() { awk '{print $14 + $15}' "/proc/$AG/stat" 2>/dev/null || echo 0; }
usage_rows() { sqlite3 c.db "SELECT COUNT(*) FROM usage WHERE serial = '$SERIAL'" 2>/dev/null || echo 0; }
sleep 3
hwm0=$(hwm)
cpu0=$(cpu)
"$B/support_flood" "127.0.0.1:$SPORT" "$KEYHEX" "$FLOOD_S" >flood.txt 2>&1 &
FL=$!
pids+=("$FL")
sleep 8
rows1=$(usage_rows)
wait "$FL"
rows2=$(usage_rows)
cpu1=$(cpu)
hwm1=$(hwm)
cat flood.txt
echo "   agent CPU during the flood: $(((cpu1 - cpu0) * 10)) ms in ${FLOOD_S} s; peak RSS ${hwm0} kB before, ${hwm1} kB after"
check "usage reports arrived while the flood ran (rows $rows1 after 8 s, $rows2 at its end)" \
    test "$rows2" -gt "$rows1" -a "$rows1" -gt 0
ok=$(grep -o '[0-9]* answered 2.05' flood.txt | grep -o '^[0-9]*')
limited=$(grep -o '[0-9]* 4.29' flood.txt | grep -o '^[0-9]*')
check "the flood's answers stayed within one client's rate: ${ok:-?} <= 10 + 2/s" \
    test "${ok:-999}" -le $((10 + 2 * (FLOOD_S + 2)))
check "the flood was told to slow down (4.29: ${limited:-0})" test "${limited:-0}" -gt 0
if [ "$SANITIZED" = ON ]; then
    echo "   (sanitizer build: its allocator keeps freed memory; the RSS bound is checked in the normal build)"
else
    check "the agent's peak RSS grew by at most 4 MiB ($hwm0 -> $hwm1 kB)" \
        test $((hwm1 - hwm0)) -le 4096
fi
"$B/trialctl" device "coaps://127.0.0.1:$SPORT" --psk-file support.psk --json >after.json 2>after.err
check "right after the flood, trialctl device gets its answer" test $? -eq 0
wait "$AG"
check "agent exit 0" test $? -eq 0

check "no dial request was left to the stack's watchdog" \
    bash -c '! grep -q "not answered by the agent" agent.log'
decided=$(grep -cE "call [0-9]+: (allowed|denied)" agent.log)
check "the agent decided every dial request ($decided of $calls)" test "$decided" -eq "$calls"
got=$(sqlite3 c.db "SELECT COALESCE(SUM(calls), 0) FROM usage WHERE serial = '$SERIAL'")
check "the collector counts every call of the closed intervals ($got of $reported)" \
    test "$got" -eq "$reported"
line=$(grep "support port: " agent.log | tail -1)
echo "   ${line#*support: }"
peak=$(grep -o 'at most [0-9]* sessions' <<<"$line" | grep -o '[0-9]*')
# libcoap's caps: 4 in handshake, 4 idle; one more while a request is handled
check "at most 9 DTLS sessions at once (got ${peak:-?})" test "${peak:-99}" -le 9
check "requests past the limits went unanswered" \
    grep -qE "[1-9][0-9]* rate-limited, [1-9][0-9]* unanswered" <<<"$line"
check "the refused handshakes were counted" grep -qE "[1-9][0-9]* identities refused" <<<"$line"
lines=$(grep -c "over the rate limit" agent.log)
check "the rate limit was logged at most once a minute ($lines lines)" test "$lines" -le 2
stop_collector

echo "support_flood: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- agent.log"; grep -vE "screen:|call [0-9]" agent.log | tail -25; cat after.err; }
[ "$fail" -eq 0 ]
