#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs a collector and
# three simulated room endpoints that walk the trial timeline of
# docs/TRIAL_RULES.md at one simulated day per real second:
# Each room is its own customer's trial, started and run by its number (R1)
# as a partner does (`spark-collector admin new-trial/keep/convert`); near the
# end the partner's view: `admin trial D1000002` and `admin trials`, then the
# other partner actions (extend, add-service, convert A-WX) and the refusals
# (R3, R4, R5, R9) on trials whose rooms do not run here.
#   room1  converts to paid during the grace period (R2, R8; A-SPK C1): keeps
#          everything
#   room2  is never converted: expiring, grace, lapsed (calling degraded, R11),
#          released, return instructions on screen (R12, R13); a German room
#          (locale de-DE) where a person touches the banner, presses INFO and
#          HOME, dials while calling is off, and asks for new return labels;
#          behind its PBX (outside-line prefix 9), lapsed, it dials an ordinary
#          number (denied) and 9911 (allowed: emergency numbers always
#          connect), and the emergency service calls back (let in)
#   room3  a US customer who keeps the devices (R3, `admin keep`): lapses,
#          no return instructions
# At the end support asks room2 itself over its support port (trialctl
# device, with the support PSK the collector hands out: docs/SUPPORT.md),
# the collector and room2 going on with the same clock at real speed.
# One simulated clock for every process: the collector, the rooms and the
# partner's admin command run at one simulated day per real second from the
# same start and real anchor (--clock-start, --clock-rate, --clock-anchor),
# on fixed dates, so the run and its pictures are the same whatever today is.
# Everything it makes goes to demo-out/ (images, screens, database, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default

root=$PWD
bin=$root/build/bin
out=$root/demo-out
rm -rf "$out"
mkdir -p "$out"
cd "$out"
SETUP=2026-11-27T09:00:00Z  # the technician provisions and enrolls the rooms
START=2026-12-01T00:00:00Z  # day 0 of the scenarios (E - 7 d)
EXPIRY=2026-12-08T00:00:00Z # E, the trial's expiry
RATE=86400                  # one simulated day per real second
LEAD=3                      # the rooms are switched on 3 simulated days before day 0
DAYS=57                     # and run until day 57 (E + 50 d): 60 real seconds
PORT=${SPARK_DEMO_PORT:-5684}
SPORT=${SPARK_DEMO_SUPPORT_PORT:-$((PORT + 1))} # room2's support port at the end
# The technician's commands run on their own day (real speed from 09:00).
ADMIN_SETUP=("$bin/spark-collector" admin --db collector.db --clock-start "$SETUP")
ms_now() { date +%s%3N; }
sleep_until() { # real unix ms
    local ms=$(($1 - $(ms_now)))
    [ "$ms" -gt 0 ] && sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    return 0
}

pids=()
# shellcheck source=../tests/tpm/swtpm_lib.sh
source "$root/tests/tpm/swtpm_lib.sh"
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; swtpm_stop' EXIT

echo "== a licence signing key"
"$bin/sparkflash" keygen --out licence.pem

# The partner starts a trial per customer, by its number (R1): the
# organisation, its country, the end E and the services; each room enrolled
# under the number gets the trial's licence.
ORGS=("Northwind Traders" "Musterfirma Inc" "Contoso Ltd")
n=0
for room in room1 room2 room3; do
    n=$((n + 1))
    echo "== trial D100000$n for ${ORGS[n - 1]} (the partner)"
    "${ADMIN_SETUP[@]}" new-trial --trial "D100000$n" \
        --org "${ORGS[n - 1]}" --region US --trial-exp "$EXPIRY" --service "meetings:$EXPIRY"
done
n=0
for room in room1 room2 room3; do
    n=$((n + 1))
    serial=FOC2240Y10$n
    keep=""
    locale=en
    [ "$room" = room2 ] && locale=de-DE && keep=--dial-prefix=9 # behind a PBX
    echo "== $room ($serial): factory-fresh, provisioned by the technician, enrolled"
    "$bin/spark-agent" --flash "$room.img" --serial "$serial" --clock-start "$SETUP" \
        --clock-rate 0 --run-for 1 --screen "$room-setup" >"$room-setup.log" 2>&1 || true
    "$bin/sparkflash" provision --image "$room.img" --serial "$serial" --model "Spark Room Kit" \
        --trial "D100000$n" --server "coaps://127.0.0.1:$PORT" --licence-pubkey licence.pem.pub \
        --region US --locale $locale --return-url https://partner.example/rma $keep \
        --enroll-out "$room-enroll.json" >/dev/null
    "${ADMIN_SETUP[@]}" enroll --from "$room-enroll.json"
done
echo "== room3's customer, in the US, keeps the devices (R3)"
"${ADMIN_SETUP[@]}" keep --trial D1000003

# The run's clock: simulated time is $START at real instant ANCHOR, LEAD real
# seconds from now. The collector and the rooms start now, so the rooms come
# up LEAD simulated days before day 0 and have made first contact (their
# first attempt waits a random 0-2 real seconds) before the first notice,
# E - 7 d, falls due at day 0.
ANCHOR=$(($(ms_now) + LEAD * 1000))
CLOCK=(--clock-start "$START" --clock-rate "$RATE" --clock-anchor "$ANCHOR")
echo "== the collector on 127.0.0.1:$PORT and the rooms, on one simulated clock: $START at real"
echo "   $(date -u -d "@$((ANCHOR / 1000))" +%H:%M:%S) UTC, one simulated day per real second"
"$bin/spark-collector" serve --db collector.db --listen "127.0.0.1:$PORT" \
    --licence-key licence.pem "${CLOCK[@]}" >collector.log 2>&1 &
pids+=($!)
echo "== the rooms run until day $DAYS ($((LEAD + DAYS)) s); screens in demo-out/roomN-screen/"
# room2: the week, then a person at the screen (examples/person.jsonl), and on
# day 40 (lapsed), five minutes after that person's ordinary call, 911
# through the PBX (9911) and the emergency service calling back, caller id
# withheld (docs/EMERGENCY.md). Entries merged in time order.
DAY40=3492000 # day 40, 10:00 (E + 33 d)
DAY40_DATE=$(date -u -d "$START + $DAY40 seconds" +%Y-%m-%d)
{ cat "$root/examples/week.jsonl" "$root/examples/person.jsonl"
  echo "{\"t\":$((DAY40 + 300)),\"call\":{\"to\":\"9911\",\"seconds\":240}}"
  echo "{\"t\":$((DAY40 + 900)),\"incoming\":{\"from\":\"\",\"seconds\":180}}"
} | grep -v '^#' | awk -F'[:,]' '{ print $2 "\t" $0 }' | sort -s -n -k1,1 | cut -f2- >room2.jsonl
for room in room1 room2 room3; do
    scenario=$root/examples/week.jsonl
    [ "$room" = room2 ] && scenario=room2.jsonl
    # lapsed screens take turns once a simulated day (a real second here)
    "$bin/spark-agent" --flash "$room.img" "${CLOCK[@]}" \
        --scenario "$scenario" --run-for $(((LEAD + DAYS) * 86400)) --screen "$room-screen" \
        --screen-page 86400 --report-batch 3600 >"$room.log" 2>&1 &
    pids+=($!)
done
sleep_until $((ANCHOR + 20000)) # day 20: in the grace period (E + 13 d)
echo "== day 20: the customer of room1 buys (partner converts the trial, R2, R8; at the simulated"
echo "   instant the command runs, which the planner checks against R9)"
"$bin/spark-collector" admin --db collector.db "${CLOCK[@]}" convert --trial D1000001 --offer A-SPK \
    --plan C1 --add-on "Spark Room System"
status=0
for p in "${pids[@]:1}"; do wait "$p" || status=1; done
[ "$status" -eq 0 ] || echo "!! a room's agent failed: see demo-out/room*.log"

echo
echo "== what each room went through (its own log)"
for room in room1 room2 room3; do
    echo "-- $room"
    # licence and event lines, and each screen the first time its title shows
    grep -E 'licence seq|event |screen: |screen touched|button .* pressed|call [0-9]+: |line numbers' \
        "$room.log" | grep -v 'PNG files written' | sed -E 's/ I (agent|trial|board|call): / /' |
        awk -F' [|] ' '/ screen: / { h = $1; sub(/^[^ ]* /, "", h); if (h == last) next; last = h
                                    print $1 " | " $2; next } { print }' ||
        true
done
echo
echo "== the trial timeline as the collector received it (docs/TRIAL_RULES.md; E = $EXPIRY)"
# Each notice is raised when the room's confirmed time passes its due
# instant and reported at once: at one simulated day per real second an
# agent loop turn (1 simulated s, but at least 100 real us) or a wait on the
# network (at most 20 real ms) is minutes of simulated time, hence "late".
E_S=$(date -u -d "$EXPIRY" +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
printf '%-6s %-9s %-21s %-21s %s\n' room notice due raised late
for n in 1 2 3; do
    for due in expiring:-7 last-day:-1 expired:0 lapsed:30 released:45; do
        name=${due%%:*} at=$((E_S + ${due#*:} * 86400))
        t=$(sqlite3 collector.db "SELECT MIN(t) FROM event WHERE serial = 'FOC2240Y10$n' AND
              ((kind = 'notice' AND detail = '$name') OR (kind = 'numbers_released' AND detail = '$name'))")
        if [ -n "$t" ]; then
            printf '%-6s %-9s %-21s %-21s %+d s\n' "room$n" "$name" "$(iso "$at")" "$(iso "$t")" \
                $((t - at))
        else
            printf '%-6s %-9s %-21s %s\n' "room$n" "$name" "$(iso "$at")" "-- (not raised)"
        fi
    done
done
ahead=$(sqlite3 collector.db "SELECT COUNT(*) FROM event WHERE kind = 'clock_ahead'")
echo "   clock_ahead events: $ahead (one clock: none is expected)"

echo
echo "== room4 (FOC2240Y104): the room board, spark-agent-room, its key and counter in a TPM"
echo "   (Debian's swtpm stands in for the TPM chip; docs/ROOM_BOARD.md). The room board has"
echo "   no simulated clock: room4 and its own collector run at real time, E a week from today"
RPORT=$((PORT + 2))
E4=$(date -u -d "+7 days" +%Y-%m-%dT00:00:00Z)
"$bin/spark-collector" serve --db room4-collector.db --listen "127.0.0.1:$RPORT" \
    --licence-key licence.pem >room4-collector.log 2>&1 &
room4c=$!
pids+=("$room4c")
swtpm_start "$out/room4-tpm" >/dev/null
head -c 1048576 /dev/zero | tr '\000' '\377' >room4-flash.img # an erased partition
mkdir -m 700 room4-secure
cat >room4.conf <<CONF
flash = $out/room4-flash.img
secure_dir = $out/room4-secure
secure_backend = tpm
tpm = $SWTPM_TCTI
serial = FOC2240Y104
fb = none
input = none
call_socket = none
iface = lo
support_listen = off
CONF
"$bin/sparkflash" provision --image room4-flash.img --board room --config room4.conf \
    --serial FOC2240Y104 --model "Spark Room Kit" --trial D1000004 \
    --server "coaps://127.0.0.1:$RPORT" --licence-pubkey licence.pem.pub --region US --locale en \
    --enroll-out room4-enroll.json 2>&1 | grep -E "first contact|provisioned" || true
"$bin/spark-collector" admin --db room4-collector.db enroll --from room4-enroll.json
"$bin/spark-collector" admin --db room4-collector.db licence --serial FOC2240Y104 --trial-exp "$E4"
"$bin/spark-agent-room" --config room4.conf --log-stderr --run-for 6 >room4.log 2>&1 || true
grep -E 'TPM|licence seq|screen: ' room4.log | sed -E 's/^. (board|agent|trial): /   /' | head -6
echo "   in flash the PSKs are sealed: $(grep -c 'psk_sealed' room4-flash.img) record(s) with psk_sealed," \
    "the PSK in clear: $(grep -c "$(python3 -c 'import json; print(json.load(open("room4-enroll.json"))["psk"])')" room4-flash.img || true) times"
echo "   the secure directory holds only the TPM's wrapped key: $(ls room4-secure)"
swtpm_stop
kill -TERM "$room4c" 2>/dev/null || true
wait "$room4c" 2>/dev/null || true

echo
echo "== what the collector knows (support view, in simulated time)"
for n in 1 2 3; do
    "$bin/spark-collector" admin --db collector.db show --serial "FOC2240Y10$n"
    echo
done
for room in room1 room2 room3; do
    grep -o 'screen: [0-9]* frames presented, [0-9]* PNG files written ([0-9]* distinct)' \
        "$room.log" | sed "s/^/$room /" || true
done
echo
echo "== room2 on day 40, $DAY40_DATE (lapsed): its calls, the collector's totals (R11; docs/EMERGENCY.md)"
grep -E "^$DAY40_DATE.* (call|incoming call) [0-9]+: " room2.log | sed -E 's/ I call: / /'
early=$(awk '/licence seq 1 accepted/ { exit } /call [0-9]+: denied/ { n++ } END { print n + 0 }' room2.log)
"$bin/spark-collector" admin --db collector.db totals --serial FOC2240Y102 |
    grep -E '^(calls|calls_blocked|emergency_calls) '
[ "$early" -eq 0 ] ||
    echo "   (calls_blocked also counts the $early call(s) tried before the licence arrived)"
echo "   support asks the same policy (trialctl call):"
"$bin/trialctl" call +4930123456 --region US --dial-prefix 9 --state lapsed --json || true
"$bin/trialctl" call 9-911 --region US --dial-prefix 9 --state lapsed --json
echo
echo "== every screen of a sample room, English and German (spark-screens)"
"$bin/spark-screens" --out screens >/dev/null
echo "demo-out/screens/: $(ls screens | wc -l) pictures (as in docs/screens/)"
echo "Screens: $out/room*-screen/ (current.png and one PNG per distinct screen)"
echo
END_AT=$(date -u -d "$START + $DAYS days" +%Y-%m-%dT%H:%M:%SZ)
echo "== the partner asks about trial D1000002 by its number (R1), as of the rooms' day $DAYS ($END_AT)"
"$bin/spark-collector" admin --db collector.db trial D1000002 --at "$END_AT"
echo
echo "== the partner's customer list (R7), as of day $DAYS"
"$bin/spark-collector" admin --db collector.db trials --at "$END_AT"


echo
echo "== the partner's other actions on a trial by its number (R3-R6, R9), on two more customers'"
echo "   trials whose rooms are enrolled but not running here, on the technician's day ($SETUP,"
echo "   docs/COLLECTOR.md); refusals name the rule"
adm() { "${ADMIN_SETUP[@]}" "$@"; }
adm enroll --serial FOC2240Y105 --psk 00112233445566778899aabbccddee05 --trial D1000005 --region DE \
    --model "Spark Room Kit" >/dev/null
adm enroll --serial FOC2240Y106 --psk 00112233445566778899aabbccddee06 --trial D1000006 --region US \
    --model "Spark Room Kit" >/dev/null
adm new-trial --trial D1000005 --org "Beispiel GmbH" --region DE --trial-exp "$EXPIRY" --service calling
adm extend --trial D1000005
adm extend --trial D1000005 2>&1 || true
adm add-service --trial D1000005 --service training-center \
    --until "$(date -u -d "$EXPIRY + 20 days" +%Y-%m-%dT%H:%M:%SZ)"
adm keep --trial D1000005 2>&1 || true
adm convert --trial D1000005 --offer A-WX --plan C3 --webex-site https://beispiel-neu.webex.com
adm new-trial --trial D1000007 --org "Northwind Traders" --region US --trial-exp "$EXPIRY" 2>&1 || true
adm licence --serial FOC2240Y106 --org "Fabrikam Inc" \
    --trial-exp "$(date -u -d "$SETUP - 31 days" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
adm convert --trial D1000006 --offer A-SPK --plan M1 2>&1 || true
echo "-- admin trial D1000005: the order, the new WebEx site, the audit trail"
adm trial D1000005
echo
kill -TERM "${pids[0]}" 2>/dev/null || true # the fast collector
wait "${pids[0]}" 2>/dev/null || true
# The same clock goes on at real speed from where it is now (never back: a
# room whose clock went back would report clock_rollback), for the collector
# and room2 alike.
now=$(ms_now)
T2=$(($(date -u -d "$START" +%s) + (now - ANCHOR) * RATE / 1000))
CLOCK=(--clock-start "@$T2" --clock-rate 1 --clock-anchor "$now")
echo "== support asks room2 itself (docs/SUPPORT.md): room2 starts again on day $(((T2 - $(date -u -d "$START" +%s)) / 86400)),"
echo "   $(iso "$T2"), with its support port on 127.0.0.1:$SPORT; the collector and room2 now"
echo "   run on the same clock at real speed; the support PSK comes from the collector (audited)"
"$bin/spark-collector" serve --db collector.db --listen "127.0.0.1:$PORT" \
    --licence-key licence.pem "${CLOCK[@]}" >>collector.log 2>&1 &
pids+=($!)
"$bin/spark-collector" admin --db collector.db "${CLOCK[@]}" support-psk --serial FOC2240Y102 \
    --out room2.psk
"$bin/spark-agent" --flash room2.img "${CLOCK[@]}" --run-for 120 \
    --support-listen "127.0.0.1:$SPORT" --screen room2-screen >room2-support.log 2>&1 &
room2=$!
pids+=("$room2")
for _ in $(seq 1 50); do grep -qs "support port on" room2-support.log && break; sleep 0.1; done
# Off since the fast run ended, room2's clock is ahead of the time it kept:
# its first contact with the collector confirms it (a few real seconds).
for _ in $(seq 1 100); do grep -qs "collector's time confirms" room2-support.log && break; sleep 0.1; done
"$bin/trialctl" device "coaps://127.0.0.1:$SPORT" --psk-file room2.psk || true
kill -TERM "$room2" 2>/dev/null || true
wait "$room2" || true

echo
echo "== the collector at fleet scale (docs/SCALING.md): 300 simulated rooms (spark-fleetsim: the"
echo "   device's encoder and link, each room its own PSK) report for 3 simulated hours to two"
echo "   collectors on one PostgreSQL server started here; a licence change reaches rooms on both"
echo "   (LISTEN/NOTIFY); collector A is SIGKILLed and started again: nothing lost, nothing twice"
bash "$root/tests/system/fleet_two_collectors.sh" "$bin" 300 3 720 2>&1 | grep -v '^result ' ||
    echo "   the fleet run FAILED (above)"
