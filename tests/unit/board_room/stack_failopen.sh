#!/usr/bin/env bash
# The calling stack's contract (docs/EMERGENCY.md), both sides, with the real
# spark-agent-room on a provisioned room partition (prefix 9, no licence yet:
# emergency numbers only) and room_stack_sim as the stack:
#   1. agent up:        it answers; 911 and 9911 placed, 5551234 refused
#   2. agent stopped:   no answer within 1 s; the stack places 911 and 9911
#      (SIGSTOP)        anyway (fail-open), refuses 5551234, lets a withheld
#                       call-back in (it placed an emergency call just now)
#   3. agent killed:    socket gone; 911 and 9911 placed, 5551234 refused,
#      (SIGKILL)        an incoming call refused (no emergency call to call back)
# Temp dir and loopback Unix sockets only; the agent is killed by the trap.
# Usage: stack_failopen.sh SPARK_AGENT_ROOM SPARKFLASH ROOM_STACK_SIM
set -uo pipefail
AGENT=$1 SF=$2 SIM=$3
for b in "$AGENT" "$SF" "$SIM"; do [ -x "$b" ] || { echo "stack_failopen: no executable $b"; exit 1; }; done
dir=$(mktemp -d /tmp/stack-failopen-XXXXXX) || exit 1
cd "$dir" || exit 1
AG=
cleanup() {
    [ -n "$AG" ] && kill -CONT "$AG" 2>/dev/null && kill -KILL "$AG" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }

mkdir -m 700 secure
head -c $((1024 * 1024)) /dev/zero | tr '\000' '\377' >flash.bin
cat >room.conf <<CONF
flash = $dir/flash.bin
secure_dir = $dir/secure
fb = none
input = none
call_socket = $dir/agent.sock
serial = RKFAILOPEN1
secure_backend = file
iface = lo
support_listen = off
CONF
openssl ecparam -name prime256v1 -genkey -noout -out lic.pem 2>/dev/null
openssl ec -in lic.pem -pubout -out lic.pub 2>/dev/null
"$SF" provision --image flash.bin --board room --config room.conf --serial RKFAILOPEN1 \
    --model RoomKit --trial D1000001 --server coaps://127.0.0.1:9 --licence-pubkey lic.pub \
    --region US --locale en --dial-prefix 9 >prov.txt 2>&1
check "provisioned the room partition with prefix 9" test $? -eq 0

"$AGENT" --config room.conf --log-stderr --run-for 60 >agent.log 2>&1 & # bounded by --run-for
AG=$!
for _ in $(seq 1 100); do [ -S agent.sock ] && break; sleep 0.05; done
check "the agent bound its call socket" test -S agent.sock

stack() { # want_exit want_pattern -- sim args...
    local want=$1 pat=$2
    shift 3
    local out code
    out=$("$SIM" --agent "$dir/agent.sock" --bind "$dir/stack.sock" --region US --dial-prefix 9 \
        --memory "$dir/stack.mem" "$@" 2>&1)
    code=$?
    check "$* -> $out" bash -c "[ $code -eq $want ] && grep -qE -- '$pat' <<<'$out'"
}

# 1. the agent answers
stack 0 'placed \(agent allowed\)' -- dial 1 911
stack 0 'placed \(agent allowed\)' -- dial 2 9911
stack 1 'refused \(agent denied\)' -- dial 3 5551234

# 2. the agent does not answer (stopped): the stack decides within ~1 s
rm -f stack.mem
kill -STOP "$AG"
t0=$(date +%s%N)
stack 0 'placed \(no answer in time; emergency number, fail-open\)' -- dial 4 911
t1=$(date +%s%N)
check "the stack waited about 1 s, not longer ($(((t1 - t0) / 1000000)) ms)" \
    test $(((t1 - t0) / 1000000)) -lt 3000
stack 0 'placed \(no answer in time; emergency number, fail-open\)' -- dial 5 9911
stack 1 'refused \(no answer in time; fail-closed\)' -- dial 6 5551234
stack 0 'let in \(no answer in time; call-back window\)' -- incoming 7
kill -CONT "$AG"

# 3. the agent is gone (killed): its socket refuses
sleep 0.3
kill -KILL "$AG"
wait "$AG" 2>/dev/null
AG=
rm -f stack.mem
stack 0 'placed \(agent socket gone; emergency number, fail-open\)' -- dial 8 911
stack 0 'placed \(agent socket gone; emergency number, fail-open\)' -- dial 9 9911
stack 1 'refused \(agent socket gone; fail-closed\)' -- dial 10 5551234
rm -f stack.mem
stack 1 'refused \(agent socket gone; fail-closed\)' -- incoming 11 15550100
rm -f agent.sock
stack 0 'placed \(agent socket gone; emergency number, fail-open\)' -- dial 12 112

# the agent's side, while it ran: decisions by call id, never a number
check "agent answered call 1 by id" grep -q 'call 1: allowed (emergency_number)' agent.log
check "agent denied call 3 by id" grep -q 'call 3: denied (emergency_only)' agent.log
check "no number in the agent's log" bash -c "! grep -E '5551234|9911|15550100' agent.log"
check "no 911 in the agent's log" bash -c "! grep -wE '911|112' agent.log"
echo "stack_failopen: $fail failures"
[ "$fail" -eq 0 ] || { echo "--- agent.log"; tail -20 agent.log; }
[ "$fail" -eq 0 ]
