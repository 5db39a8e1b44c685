# Shared by the loopback end-to-end tests (report_e2e.sh, reprovision_e2e.sh,
# report_poison.sh, report_late_name.sh): a work directory removed on exit
# with every process the test started, check(), a free port, the collector,
# provisioned and enrolled devices, the collector's totals against a
# scenario. Source it with B (the bin directory) set; it changes into the
# work directory. DEVICE_HOST (default 127.0.0.1) is the collector's host in
# the devices' server URI: a name tests that the device resolves it.
# ADMIN_CLOCK (an array, default empty: real time) and TRIAL_EXP are the
# clock options and the trial expiry device() enrolls with.
work=$(mktemp -d "${TMPDIR:-/tmp}/spark-e2e.XXXXXX")
cd "$work" || exit 1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
fail=0
check() { local label=$1; shift; if "$@"; then echo "ok   $label"; else echo "FAIL $label"; fail=$((fail + 1)); fi; }
free_port() { # a UDP port free on 127.0.0.1, and the next one too (coap-server uses p+1)
    python3 -c 'import socket
while True:
    a=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); a.bind(("127.0.0.1",0)); p=a.getsockname()[1]
    try:
        b=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); b.bind(("127.0.0.1",p+1)); print(p); break
    except OSError: pass'
}
START=2026-12-01T00:00:00Z
ADMIN_CLOCK=()
"$B/sparkflash" keygen --out lic.pem >/dev/null

need() { # program...: each must be in B
    local b
    for b in "$@"; do [ -x "$B/$b" ] || { echo "$(basename "$0"): no $b in $B"; exit 1; }; done
}
start_collector() { # port [serve options...]
    local port=$1
    shift
    "$B/spark-collector" serve --db c.db --listen "127.0.0.1:$port" --licence-key lic.pem "$@" \
        >>server.log 2>&1 &
    COLL=$!
    pids+=("$COLL")
    for _ in $(seq 1 50); do grep -q "listening on 127.0.0.1:$port" server.log && return 0; sleep 0.1; done
    echo "collector did not start"; tail server.log; exit 1
}
stop_collector() { kill -TERM "$COLL"; wait "$COLL" 2>/dev/null; }

device() { # serial port [psk-hex] -> provisioned image SERIAL.img, enrolled
    "$B/spark-agent" --flash "$1.img" --serial "$1" --clock-rate 0 --run-for 1 >/dev/null 2>&1
    "$B/sparkflash" provision --image "$1.img" --serial "$1" --model "Spark Room Kit" --trial D1000001 \
        --server "coaps://${DEVICE_HOST:-127.0.0.1}:$2" --licence-pubkey lic.pem.pub --region US --locale en \
        ${3:+--psk $3} --enroll-out "$1.json" >/dev/null || { echo "provision $1 failed"; exit 1; }
    "$B/spark-collector" admin --db c.db "${ADMIN_CLOCK[@]}" enroll --from "$1.json" >/dev/null
    "$B/spark-collector" admin --db c.db "${ADMIN_CLOCK[@]}" licence --serial "$1" \
        --trial-exp "${TRIAL_EXP:-2027-03-01T00:00:00Z}" >/dev/null || { echo "licence $1 failed"; exit 1; }
}
# A room with a support PSK of printable bytes (coap-client-openssl takes its
# key as text; sparkflash draws 32 random bytes by default): KEY, KEYHEX and
# support.psk (what `admin support-psk --out` writes) are set for it.
KEY=support-key-0123456789abcdef
KEYHEX=$(printf %s "$KEY" | od -An -tx1 | tr -d ' \n')
support_device() { # serial port region -> SERIAL.img provisioned, enrolled
    printf '%s\n' "$KEYHEX" >support.psk
    "$B/spark-agent" --flash "$1.img" --serial "$1" --clock-rate 0 --run-for 1 >/dev/null 2>&1
    "$B/sparkflash" provision --image "$1.img" --serial "$1" --model "Spark Room Kit" \
        --trial D1000001 --server "coaps://127.0.0.1:$2" --licence-pubkey lic.pem.pub \
        --region "$3" --locale en --support-psk "$KEYHEX" --enroll-out "$1.json" >/dev/null ||
        { echo "provision $1 failed"; exit 1; }
    "$B/spark-collector" admin --db c.db enroll --from "$1.json" >/dev/null
}
total() { # serial field
    "$B/spark-collector" admin --db c.db totals --serial "$1" | awk -v f="$2" '$1 == f {print $2}'
}
sum_of() { # regex over the scenario: sum of the seconds of matching entries
    grep -o "$1" "$3" | grep -o '[0-9]*$' | awk '{s += $1} END {print s + 0}'
}
expect_totals() { # label serial scenario [times: the scenario ran this often]
    local calls meetings call_s meeting_s share_s k=${4:-1}
    calls=$(($(grep -c '"call"' "$3") * k))
    meetings=$(($(grep -c '"meeting"' "$3") * k))
    call_s=$(($(sum_of '"call":{[^}]*"seconds":[0-9]*' x "$3") * k))
    meeting_s=$(($(sum_of '"meeting":{"seconds":[0-9]*' x "$3") * k))
    share_s=$(($(sum_of '"share":{"seconds":[0-9]*' x "$3") * k))
    check "$1: calls $calls" test "$(total "$2" calls)" = "$calls"
    check "$1: call_seconds $call_s" test "$(total "$2" call_seconds)" = "$call_s"
    check "$1: meetings $meetings" test "$(total "$2" meetings)" = "$meetings"
    check "$1: meeting_seconds $meeting_s" test "$(total "$2" meeting_seconds)" = "$meeting_s"
    check "$1: share_seconds $share_s" test "$(total "$2" share_seconds)" = "$share_s"
    check "$1: no call blocked" test "$(total "$2" calls_blocked)" = "0"
}
first_contact() { # serial [clock-start]: a few real seconds online, as at installation
    "$B/spark-agent" --flash "$1.img" --clock-start "${2:-$START}" --clock-rate 1 --run-for 3 >>"$1.first.log" 2>&1
}

