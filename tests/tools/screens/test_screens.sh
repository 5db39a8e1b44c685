#!/usr/bin/env bash
# Golden images and QR codes (issue 13), for the build in $1:
#  - spark-screens draws every screen in both languages at 1280x720 and each
#    matches its picture in docs/screens/ within png_diff's tolerance (to
#    refresh the pictures on purpose: bash scripts/screens.sh, docs/SCREENS.md);
#  - the QR code on the return screen decodes with Debian's zbarimg to the
#    return URL with serial and trial, in both languages, at 1280x720 and
#    1920x1080, also for the longest URL and identity provisioning allows;
#  - bad command lines exit 2 naming what is wrong.
set -u
BIN=$1
SRC=$2
screens=$BIN/spark-screens
golden=$SRC/docs/screens
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { :; }
bad() {
    echo "FAIL: $*"
    fail=$((fail + 1))
}
command -v zbarimg >/dev/null || { echo "FAIL: zbarimg missing (zbar-tools; scripts/deps.sh)"; exit 1; }

names="setup home expiring last-day grace ended call-blocked return about paid"

# 1. golden images
"$screens" --out "$work/720" >"$work/720.out" 2>&1 || bad "spark-screens: $(cat "$work/720.out")"
n=0
for lang in en de; do
    for s in $names; do
        f=$s-$lang.png
        [ -f "$golden/$f" ] || { bad "docs/screens/$f missing"; continue; }
        [ -f "$work/720/$f" ] || { bad "spark-screens wrote no $f"; continue; }
        out=$("$BIN/png_diff" "$golden/$f" "$work/720/$f") || bad "$f: $out"
        n=$((n + 1))
    done
done
[ "$n" -eq 20 ] || bad "compared $n images, expected 20"
extra=$(cd "$golden" && ls | grep -v -E "^($(echo $names | tr ' ' '|'))-(en|de)\.png$" || true)
[ -z "$extra" ] || bad "docs/screens holds pictures spark-screens does not make: $extra"

# 2. QR codes
qr() { # FILE EXPECTED
    got=$(zbarimg --raw -q "$1" 2>/dev/null | tr -d '\n')
    [ "$got" = "$2" ] || bad "QR of $1: got '$got', expected '$2'"
}
url=https://partner.example/rma?serial=FOC2240Y1ZZ\&trial=D1000001
"$screens" --out "$work/1080" --size 1920x1080 --screen return >/dev/null 2>&1 || bad "1920x1080"
for lang in en de; do
    qr "$work/720/return-$lang.png" "$url"
    qr "$work/1080/return-$lang.png" "$url"
done
long_base="https://returns.partner-helpdesk.example.com/rma/instructions/$(printf 'segment-%.0s' $(seq 30))"
long_base=${long_base:0:240}?lang=de\&x=1234
[ ${#long_base} -eq 255 ] || bad "long URL is ${#long_base} characters"
for size in 1280x720 1920x1080; do
    "$screens" --out "$work/long-$size" --size $size --screen return --return-url "$long_base" \
        --serial ABCDEFGHIJ0123456789 --trial D123456789012345 >/dev/null 2>&1 ||
        bad "long inputs at $size do not fit"
    for lang in en de; do
        qr "$work/long-$size/return-$lang.png" \
            "$long_base&serial=ABCDEFGHIJ0123456789&trial=D123456789012345"
    done
done

# 3. the tolerance catches a changed picture: another day count is not "the same"
out=$("$BIN/png_diff" "$golden/expiring-en.png" "$work/720/last-day-en.png") &&
    bad "png_diff took last-day for expiring"
out=$("$BIN/png_diff" "$golden/return-de.png" "$work/720/return-en.png") &&
    bad "png_diff took English for German"

# 4. usage errors
expect_usage() { # MESSAGE ARGS...
    local want=$1
    shift
    out=$("$screens" "$@" 2>&1)
    rc=$?
    [ $rc -eq 2 ] && [[ $out == *"$want"* ]] || bad "spark-screens $*: exit $rc, '$out'"
}
expect_usage "--out DIR is required"
expect_usage "--locale: expected en or de, got 'fr'" --out "$work/x" --locale fr
expect_usage "--size: expected WIDTHxHEIGHT" --out "$work/x" --size 1280
expect_usage "--size: expected WIDTHxHEIGHT" --out "$work/x" --size 99999x720
expect_usage "--screen: unknown screen 'homepage'" --out "$work/x" --screen homepage
expect_usage "unexpected argument 'extra'" --out "$work/x" extra
"$screens" --out "$work/one" --locale de --screen grace >/dev/null 2>&1 || bad "--screen grace"
[ "$(ls "$work/one")" = "grace-de.png" ] || bad "--locale de --screen grace wrote: $(ls "$work/one")"

if [ "$fail" -ne 0 ]; then
    echo "screens: $fail failure(s)"
    exit 1
fi
echo "screens: 20 golden images match, QR codes decode (2 languages x 2 sizes, long inputs)"
