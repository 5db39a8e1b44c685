# shellcheck shell=bash
# Shared by the sparkflash CLI tests (sourced, not run): counters and the
# run/prov helpers. The caller sets SF (the sparkflash binary) and works in
# its own temporary directory (run writes out.txt there).

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# run EXPECTED_RC PATTERN -- ARGS...: run sparkflash, check the exit code and
# that stdout+stderr match the (extended) regular expression PATTERN.
run() {
    local want=$1 pat=$2
    shift 3
    "$SF" "$@" >out.txt 2>&1
    local rc=$?
    if [[ $rc -ne $want ]]; then
        bad "sparkflash $* -> exit $rc, expected $want"; sed 's/^/    /' out.txt >&2; return 1
    fi
    if [[ -n $pat ]] && ! grep -Eq -- "$pat" out.txt; then
        bad "sparkflash $* -> output does not match /$pat/"; sed 's/^/    /' out.txt >&2; return 1
    fi
    ok
}

# prov TARGET SERIAL [ARGS...]: sets ARGS to valid provision arguments; an
# option in ARGS that has a default replaces it (sparkflash refuses an option
# given twice), anything else is appended. The caller provides p256.pub.
prov() {
    local img=$1 serial=$2
    shift 2
    declare -A v=([--model]=RoomKit [--trial]=D1000001 [--server]=coaps://collector.example:5684
        [--licence-pubkey]=p256.pub [--region]=US [--locale]=en)
    local extra=()
    while (($#)); do
        if [[ -n ${v[$1]+x} ]]; then v[$1]=$2; shift 2; else extra+=("$1"); shift; fi
    done
    ARGS=(--image "$img" --serial "$serial")
    for k in "${!v[@]}"; do ARGS+=("$k" "${v[$k]}"); done
    ARGS+=("${extra[@]}")
}
