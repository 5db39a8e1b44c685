#!/usr/bin/env bash
# spark-fleetsim's block-wise bodies: rooms with a backlog send batches of
# 32 records (~5 KiB, six blocks) while the device's ACK timeout is short
# (100 ms: blocks are retransmitted), 100 rooms in one process: every body
# arrives whole (nothing refused 4.00), every record stored once. libcoap
# reads a body's later blocks from the caller's buffer as it sends them: a
# buffer shared by the rooms gave one room's blocks another's bytes.
# ~10 s.
#
# usage: fleet_blockwise.sh BIN-DIR
set -uo pipefail
B=$(readlink -f "${1:?usage: $0 BIN-DIR}")
. "$(dirname "$(readlink -f "$0")")/fleet_lib.sh"
"$B/spark-fleetsim" --rooms 100 --db b.db --enroll >/dev/null || exit 1
P=$(udp_port)
start_collector c "$P" b.db
"$B/spark-fleetsim" --server "127.0.0.1:$P" --rooms 100 --db b.db --clock-rate 900 --interval 30 \
    --duration 7200 --start-spread 1 --drain 20 --ack-timeout-ms 100 --max-retransmit 4 \
    --batch 32 --quiet >fleet.out 2>&1
rc=$?
grep '^result' fleet.out
check "every record acknowledged and stored once (exit $rc)" test $rc -eq 0
check "nothing refused" test "$(result_of fleet.out refused)" = 0
check "0 lost, 0 duplicated" test "$(result_of fleet.out lost)/$(result_of fleet.out duplicated)" = 0/0
check "the collector refused no body" test "$(grep -c 'refused 4.00' c.log)" -eq 0
stop_collector c
echo "fleet block-wise: $([ $fail -eq 0 ] && echo passed || echo "$fail failed")"
[ $fail -eq 0 ]
