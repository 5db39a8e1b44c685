#!/usr/bin/env bash
# CLI tests of sparkflash: every sub-command, --help/--version, exit codes, and
# every refusal of issue 3's "Bad input" list, each followed by a check that
# the target is byte-for-byte unchanged (SHA-256 of image and secure file).
#
# usage: test_sparkflash.sh PATH/TO/sparkflash [PATH/TO/spark-agent]
# With the agent, also checks that it boots from a provisioned image (and
# refuses to run after a factory reset until provisioned again).
set -uo pipefail
# shellcheck source=sf_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/sf_lib.sh" || exit 1
SF=${1:?usage: $0 PATH/TO/sparkflash [PATH/TO/spark-agent]}
SF=$(readlink -f "$SF")
AGENT=${2:+$(readlink -f "$2")}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sparkflash-test.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

fingerprint() { cat "$1" "$1.secure" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# refused IMAGE PATTERN -- ARGS...: exit 1 naming the field, IMAGE unchanged.
refused() {
    local img=$1 pat=$2
    shift 3
    local before after
    before=$(fingerprint "$img")
    run 1 "$pat" -- "$@"
    after=$(fingerprint "$img")
    if [[ $before != "$after" ]]; then bad "sparkflash $* changed $img"; else ok; fi
}

# ----------------------------------------------------------------- setup
openssl ecparam -name prime256v1 -genkey -noout -out p256.pem 2>/dev/null
openssl ec -in p256.pem -pubout -out p256.pub 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout -out p384.pem 2>/dev/null
openssl ec -in p384.pem -pubout -out p384.pub 2>/dev/null
openssl genrsa -out rsa.pem 2048 2>/dev/null
openssl rsa -in rsa.pem -pubout -out rsa.pub 2>/dev/null
echo "not a key" >garbage.pub

PSK=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

# --------------------------------------------------------- help, version
run 0 '^sparkflash [0-9]+\.[0-9]+\.[0-9]+' -- --version
run 0 'Exit codes' -- --help
for cmd in provision show verify factory-reset keygen sign flash; do
    run 0 "usage: sparkflash $cmd" -- "$cmd" --help
done
run 2 'unknown command' -- frobnicate
run 2 'unknown option --bogus' -- show --image x --bogus
run 2 'missing --image' -- show
run 2 'needs a value' -- show --image
run 2 'missing --trial' -- provision --image a.img --serial ABC12345 --model M  --server coaps://h:1 --licence-pubkey p256.pub --region US --locale en
run 2 'given twice' -- provision --image a.img --serial ABC12345 --model M --trial D1 --server coaps://h:1 --licence-pubkey p256.pub --region US --locale en --serial ABC12346
run 2 'unexpected argument' -- verify --image a.img extra
[[ ! -e a.img ]] && ok || bad "usage error created a.img"

# ------------------------------------------------- provision: happy path
prov dev.img ABC12345 --model "Room Kit 2" --create --enroll-out enroll.json \
    --return-url https://example.com/rma --dial-prefix 9
run 0 'provisioned dev.img \(new factory-fresh image\).*model Room Kit 2' -- provision "${ARGS[@]}"
[[ -f dev.img && -f dev.img.secure ]] && ok || bad "provision --create made no image"
[[ $(stat -c %a enroll.json) == 600 ]] && ok || bad "enroll.json mode is not 0600"
[[ ! -e enroll.json.tmp ]] && ok || bad "enroll.json.tmp left behind"
run 0 'provisioning: ok' -- show --image dev.img
grep -q 'trial           D1000001' out.txt && ok || bad "show does not list the trial"
grep -q 'dial prefix     9$' out.txt && ok || bad "show does not list the dial prefix"
grep -q '"dial_prefix":[[:space:]]*"9"' enroll.json && ok || bad "enroll.json has no dial_prefix 9"
# Never a secret: neither PSK from the enrollment record appears in show's output.
for k in psk support_psk; do
    hex=$(sed -n "s/.*\"$k\":[[:space:]]*\"\([0-9a-f]*\)\".*/\1/p" enroll.json)
    [[ ${#hex} -eq 64 ]] && ok || bad "enroll.json $k is not 64 hex digits"
    "$SF" show --image dev.img --json >show.json 2>&1
    if grep -qi "$hex" out.txt show.json; then bad "show printed the $k"; else ok; fi
done
python3 -c 'import json,sys; d=json.load(open("show.json")); assert d["provisioning"]["status"]=="ok"; assert d["provisioning"]["trial"]=="D1000001"; assert d["provisioning"]["dial_prefix"]=="9"; assert len(d["provisioning"]["psk_fingerprint"])==16'  && ok || bad "show --json is not the expected JSON"
run 0 'intact' -- verify --image dev.img

# ------------------------------------------ provision: every bad input
prov t.img ABC12345 --create --flash-size 1048576
"$SF" provision "${ARGS[@]}" >/dev/null 2>&1
"$SF" factory-reset --image t.img --yes >/dev/null 2>&1 # a factory-fresh, unprovisioned target
T=t.img
prov $T ABC12345 --trial X1000001
refused $T 'trial: expected D followed by' -- provision "${ARGS[@]}"
prov $T ABC12345 --trial D
refused $T 'trial: expected D followed by' -- provision "${ARGS[@]}"
prov $T ABC12345 --trial D12a4
refused $T 'trial: expected D followed by' -- provision "${ARGS[@]}"
prov $T abc12345
refused $T 'serial: expected only A-Z and 0-9' -- provision "${ARGS[@]}"
prov $T ABC1
refused $T 'serial: expected 8 to 20' -- provision "${ARGS[@]}"
prov $T ABC12345 --psk 0011
refused $T 'psk: expected 16 to 64 bytes' -- provision "${ARGS[@]}"
prov $T ABC12345 --psk "${PSK:0:62}zz"
refused $T 'psk: expected hex digits' -- provision "${ARGS[@]}"
prov $T ABC12345 --psk "${PSK}0"
refused $T 'psk: expected hex digits' -- provision "${ARGS[@]}"
prov $T ABC12345  --support-psk "$PSK$PSK$PSK"
refused $T 'support-psk: expected 16 to 64 bytes' -- provision "${ARGS[@]}"
prov $T ABC12345 --support-psk xyz
refused $T 'support-psk: expected hex digits' -- provision "${ARGS[@]}"
prov $T ABC12345  --licence-pubkey p384.pub
refused $T 'licence-pubkey: .*secp384r1.*expected an EC P-256' -- provision "${ARGS[@]}"
prov $T ABC12345  --licence-pubkey rsa.pub
refused $T 'licence-pubkey: .*RSA.*expected an EC P-256' -- provision "${ARGS[@]}"
prov $T ABC12345 --licence-pubkey garbage.pub
refused $T 'licence-pubkey: .*not a public key.*expected an EC P-256' -- provision "${ARGS[@]}"
prov $T ABC12345  --licence-pubkey p256.pem
refused $T 'licence-pubkey: .*private key; expected' -- provision "${ARGS[@]}"
prov $T ABC12345 --licence-pubkey nope.pub
refused $T 'licence-pubkey: cannot read' -- provision "${ARGS[@]}"
prov $T ABC12345 --server http://h:5684
refused $T 'server: expected coaps://' -- provision "${ARGS[@]}"
prov $T ABC12345 --server coap://h:5683
refused $T 'server: expected coaps://' -- provision "${ARGS[@]}"
prov $T ABC12345 --server coaps://h:99999
refused $T 'server: port' -- provision "${ARGS[@]}"
prov $T ABC12345 --locale fr
refused $T 'locale: the endpoint has no screens in .fr.; expected one of en, de' -- provision "${ARGS[@]}"
prov $T ABC12345 --locale english
refused $T 'locale: expected a language code' -- provision "${ARGS[@]}"
prov $T ABC12345 --region usa
refused $T 'region: expected an ISO 3166' -- provision "${ARGS[@]}"
prov $T ABC12345 --dial-prefix 999
refused $T 'dial-prefix: expected the outside-line prefix, 0 to 2 digits' -- provision "${ARGS[@]}"
prov $T ABC12345 --dial-prefix 9a
refused $T 'dial-prefix: expected the outside-line prefix' -- provision "${ARGS[@]}"
prov $T ABC12345 --model ""
refused $T 'model: expected 1 to 47' -- provision "${ARGS[@]}"
prov $T ABC12345  --psk-identity "$(printf 'x%.0s' {1..65})"
refused $T 'psk-identity: expected 1 to 64' -- provision "${ARGS[@]}"
prov $T ABC12345 --return-url ftp://x
refused $T 'return-url: expected an http' -- provision "${ARGS[@]}"
prov new.img ABC12345 --create  --flash-size 1000
refused $T 'flash-size: expected a byte count' -- provision "${ARGS[@]}"
[[ ! -e new.img ]] && ok || bad "refused --create still made new.img"
prov $T ABC99999
refused $T 'serial: the device.s hardware serial is ABC12345' -- provision "${ARGS[@]}"
touch taken.json
prov $T ABC12345  --enroll-out taken.json
refused $T 'enroll-out: taken.json already exists' -- provision "${ARGS[@]}"
prov dev.img ABC12345
refused dev.img 'already provisioned \(serial ABC12345, trial D1000001\).*factory-reset' --  provision "${ARGS[@]}"

# Target missing, read-only, too small.
prov missing.img ABC12345
refused missing.img 'missing.img does not exist; expected an existing' --  provision "${ARGS[@]}"
[[ ! -e missing.img ]] && ok || bad "refusal created missing.img"
cp $T ro.img && cp $T.secure ro.img.secure && chmod 444 ro.img
prov ro.img ABC12345
refused ro.img 'ro.img is read-only' -- provision "${ARGS[@]}"
refused ro.img 'ro.img is read-only' -- factory-reset --image ro.img --yes
run 0 'provisioning: absent' -- show --image ro.img # read-only targets can still be shown
head -c 262144 $T >small.img && cp $T.secure small.img.secure
prov small.img ABC12345
refused small.img 'too small.*at least 524288' -- provision "${ARGS[@]}"
cp $T nosec.img
prov nosec.img ABC12345
refused nosec.img 'no readable secure element file' -- provision "${ARGS[@]}"

# After all that, the target still takes a good provisioning.
prov $T ABC12345 --psk "$PSK" --psk-identity dev-1  --enroll-out t.json --keep-devices
run 0 'provisioned t.img:' -- provision "${ARGS[@]}"
grep -q '"keep_devices":[[:space:]]*true' t.json && ok || bad "--keep-devices not in t.json"
grep -q "\"psk\":[[:space:]]*\"$PSK\"" t.json && ok || bad "given --psk not in t.json"

# ------------------------------------------------ verify names the damage
cp dev.img dmg.img && cp dev.img.secure dmg.img.secure
off=$(grep -obUa 'D1000001' dmg.img | head -1 | cut -d: -f1)
printf 'E' | dd of=dmg.img bs=1 seek="$off" conv=notrunc status=none
before=$(fingerprint dmg.img)
run 1 'DAMAGED store: 1 record' -- verify --image dmg.img
grep -Eq 'damage located in store sector [0-9]+ \(flash offset 0x' out.txt && ok  || bad "verify does not name the damaged sector"
[[ $(fingerprint dmg.img) == "$before" ]] && ok || bad "verify changed dmg.img"
run 0 'provisioning: absent' -- show --image dmg.img # the damaged record is never returned
run 1 'refused: .*missing.img does not exist' -- verify --image missing.img

# ------------------------------------------------------- factory-reset
refused dev.img '--yes is required: .*trial history.*R9.*Nothing was changed' --  factory-reset --image dev.img
run 0 'factory reset dev.img' -- factory-reset --image dev.img --yes
run 0 'provisioning: absent' -- show --image dev.img
grep -q 'trial-history .* ok' out.txt && ok || bad "no fresh trial history after reset"
grep -Eq 'rollback no' out.txt && ok || bad "reset store reports rollback"
run 0 'intact' -- verify --image dev.img
prov dev.img ABC12345 --enroll-out e2.json
run 0 'provisioned dev.img' -- provision "${ARGS[@]}"

# ---------------------------------------------------------- keygen, sign
run 0 'wrote fw.pem' -- keygen --out fw.pem
[[ $(stat -c %a fw.pem) == 600 && -f fw.pem.pub ]] && ok || bad "keygen modes/files"
sum=$(cat fw.pem fw.pem.pub | sha256sum)
run 1 'already exists' -- keygen --out fw.pem
[[ $(cat fw.pem fw.pem.pub | sha256sum) == "$sum" ]] && ok || bad "keygen overwrote a key"
run 0 '' -- keygen --out other.pem
head -c 100000 /dev/urandom >v1.bin
head -c 120001 /dev/urandom >v2.bin
run 0 'version 1.0.0' -- sign --key fw.pem --version 1.0.0 --in v1.bin --out v1.img
run 0 'version 1.2.0' -- sign --key fw.pem --version 1.2.0 --in v2.bin --out v2.img
run 0 '' -- sign --key other.pem --version 9.0.0 --in v2.bin --out other.img
run 1 'version: expected X.Y.Z' -- sign --key fw.pem --version 1.2 --in v1.bin --out x.img
run 1 'version: expected X.Y.Z' -- sign --key fw.pem --version 1.2.70000 --in v1.bin --out x.img
run 1 'key: .*expected an EC P-256 private key' -- sign --key fw.pem.pub --version 1.0.0 --in v1.bin --out x.img
run 1 'in: .*expected a firmware file' -- sign --key fw.pem --version 1.0.0 --in nope.bin --out x.img
[[ ! -e x.img ]] && ok || bad "refused sign wrote x.img"

# ------------------------------------------------------------------ flash
prov fw.img ABC12345 --create --flash-size 1048576
"$SF" provision "${ARGS[@]}" >/dev/null 2>&1
run 0 'flashed v1.img \(version 1.0.0.*slot 0' -- flash --image fw.img --firmware v1.img --pubkey fw.pem.pub
grep -q 'sparkflash flash: write 100%' out.txt && ok || bad "no plain progress lines"
run 0 'firmware: slot 0, version 1.0.0.*: ok' -- show --image fw.img
run 0 'flashed v2.img \(version 1.2.0.*slot 1.*was 1.0.0' -- flash --image fw.img --firmware v2.img --pubkey fw.pem.pub
refused fw.img 'version: v1.img is 1.0.0, older than the active 1.2.0.*--allow-downgrade' --  flash --image fw.img --firmware v1.img --pubkey fw.pem.pub
refused fw.img 'signature of other.img does not verify with fw.pem.pub' --  flash --image fw.img --firmware other.img --pubkey fw.pem.pub
head -c 50000 v2.img >trunc.img
refused fw.img 'firmware: trunc.img is truncated' -- flash --image fw.img --firmware trunc.img --pubkey fw.pem.pub
head -c 100 v2.img >short.img
refused fw.img 'firmware: short.img is truncated' -- flash --image fw.img --firmware short.img --pubkey fw.pem.pub
cp v2.img alt.img && printf '\x55' | dd of=alt.img bs=1 seek=5000 conv=notrunc status=none
refused fw.img 'does not match the SHA-256 in its signed header' --  flash --image fw.img --firmware alt.img --pubkey fw.pem.pub
cp v2.img hdr.img && printf '\x09' | dd of=hdr.img bs=1 seek=12 conv=notrunc status=none
refused fw.img 'signature of hdr.img does not verify' -- flash --image fw.img --firmware hdr.img --pubkey fw.pem.pub
cp v2.img sig.img && printf '\x00\x00' | dd of=sig.img bs=1 seek=70 conv=notrunc status=none
refused fw.img 'signature of sig.img does not verify' -- flash --image fw.img --firmware sig.img --pubkey fw.pem.pub
cat v2.img v1.bin >long.img
refused fw.img 'after its .*payload' -- flash --image fw.img --firmware long.img --pubkey fw.pem.pub
refused fw.img 'not a signed firmware image' -- flash --image fw.img --firmware v1.bin --pubkey fw.pem.pub
refused fw.img 'pubkey: .*expected an EC P-256' -- flash --image fw.img --firmware v2.img --pubkey p384.pub
refused dev.img 'too small.*expected' -- flash --image dev.img --firmware v2.img --pubkey fw.pem.pub
refused ro.img 'read-only' -- flash --image ro.img --firmware v2.img --pubkey fw.pem.pub
run 1 'missing2.img does not exist' -- flash --image missing2.img --firmware v2.img --pubkey fw.pem.pub
run 0 'flashed v1.img \(version 1.0.0.*slot 0.*was 1.2.0' -- flash --image fw.img --firmware v1.img  --pubkey fw.pem.pub --allow-downgrade
run 0 'firmware ok' -- verify --image fw.img --pubkey fw.pem.pub
run 1 'DAMAGED firmware slot 0.*signature' -- verify --image fw.img --pubkey other.pem.pub
# A damaged active slot is named by verify.
cp fw.img fwd.img && cp fw.img.secure fwd.img.secure
printf '\x00' | dd of=fwd.img bs=1 seek=$((524288 + 128 + 777)) conv=notrunc status=none
run 1 'DAMAGED firmware slot 0.*SHA-256' -- verify --image fwd.img
# factory-reset keeps the active firmware.
run 0 'active firmware kept' -- factory-reset --image fw.img --yes
run 0 'firmware: slot 0, version 1.0.0.*: ok' -- show --image fw.img

# ------------------------------------------- the agent reads the same record
if [[ -n $AGENT ]]; then
    prov agent.img ABC12345 --create
    run 0 '' -- provision "${ARGS[@]}"
    "$AGENT" --flash agent.img --run-for 1 --clock-rate 0 >agent.txt 2>&1
    rc=$?
    if [[ $rc -eq 0 ]] && grep -q 'provisioned: serial ABC12345, trial D1000001' agent.txt; then ok
    else bad "spark-agent does not boot from a sparkflash image (exit $rc)"; cat agent.txt >&2; fi
    run 0 '' -- factory-reset --image agent.img --yes
    "$AGENT" --flash agent.img --run-for 1 --clock-rate 0 >agent.txt 2>&1
    rc=$?
    [[ $rc -eq 78 ]] && ok || bad "spark-agent after factory-reset: exit $rc, expected 78 (unprovisioned)"
fi

echo "sparkflash CLI tests: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
