#!/bin/bash
# Tokens signed by OpenSSL at test time (an independent signer) verify with
# trialctl; the same tokens with a wrong key or one changed byte do not; and
# tokens from spark-licence verify with OpenSSL.
#   openssl_tokens.sh TRIALCTL SPARK_LICENCE WORKDIR
# Signing and the DER -> r||s conversion: tests/lib/jws_openssl.sh. DER
# integers with a 00 prefix occur in about half the signatures; a short r or s
# (leading zero byte) is signed for until one turns up, so padding is tested.
set -eu
TRIALCTL=$1
SPARK_LICENCE=$2
WORK=$3
N=${TOKENS:-40}
. "$(cd "$(dirname "$0")" && pwd)/../../lib/jws_openssl.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

fail() { jws_fail "$@"; }

jws_openssl_key key.pem pub.pem
jws_openssl_key other.pem other.pub

args=(--serial FOC2240Y1ZZ --trial D1000001 --at 2026-12-10T12:00:00Z --json)
short=0
for ((i = 1; i <= N; i++)); do
    claims=$(printf '{"sub":"FOC2240Y1ZZ","trial":"D1000001","org":"org-openssl","typ":"trial","seq":%d,"iat":1792108800,"trial_exp":1797292800,"ext":0,"keep":false,"region":"US","svc":[{"id":"calling","exp":1797292800}]}' "$i")
    jws_openssl_sign key.pem "$claims" token.jws
    case "$JWS_R" in 00*) short=$((short + 1)) ;; esac
    case "$JWS_S" in 00*) short=$((short + 1)) ;; esac

    out=$("$TRIALCTL" licence token.jws --pubkey pub.pem "${args[@]}") || fail "token $i refused: $out"
    case "$out" in *'"valid":true'*'"state":"expiring"'*'"days_left":5'*) ;; *) fail "token $i: $out" ;; esac

    set +e
    out=$("$TRIALCTL" licence token.jws --pubkey other.pub "${args[@]}"); rc=$?
    set -e
    [ $rc -eq 1 ] || fail "token $i with the wrong key: exit $rc"
    case "$out" in *'"error":"signature"'*) ;; *) fail "wrong key: $out" ;; esac

    # change one payload character (keeping base64url valid)
    tampered=$(sed 's/\.eyJ/.eyK/' token.jws)
    printf '%s\n' "$tampered" > tampered.jws
    set +e
    out=$("$TRIALCTL" licence tampered.jws --pubkey pub.pem "${args[@]}"); rc=$?
    set -e
    [ $rc -eq 1 ] || fail "tampered token $i: exit $rc"
done
# A short r or s (leading zero byte, DER integer under 32 bytes) happens to
# about one signature in 128: sign until we have one, so padding is tested.
tries=0
while [ $short -eq 0 ] && [ $tries -lt 3000 ]; do
    tries=$((tries + 1))
    jws_openssl_sign key.pem "$claims" token.jws
    case "$JWS_R" in 00*) short=1 ;; esac
    case "$JWS_S" in 00*) short=1 ;; esac
done
[ $short -ne 0 ] || fail "no short r or s in 3000 signatures"
out=$("$TRIALCTL" licence token.jws --pubkey pub.pem "${args[@]}") || fail "short r/s token refused: $out"
echo "openssl: $N tokens verified, plus one with a short r or s (after $tries extra signatures); wrong key and tampering refused"

# The other way round: our signer, OpenSSL's verifier (r||s -> DER).
"$SPARK_LICENCE" keygen --out ours.pem --pubout ours.pub
printf '%s' '{"sub":"FOC2240Y1ZZ","trial":"D1000001","org":"o","typ":"paid","seq":3,"iat":1797552000,"region":"DE","svc":[]}' > claims.json
"$SPARK_LICENCE" sign --key ours.pem --claims claims.json --out ours.jws
tok=$(cat ours.jws)
printf '%s' "${tok%.*}" > input
sighex=$(printf '%s' "${tok##*.}" | jws_unb64url | od -An -v -tx1 | tr -d ' \n')
[ ${#sighex} -eq 128 ] || fail "signature is ${#sighex} hex digits"
der_int() {
    local h=$1
    while [ ${#h} -gt 2 ] && [ "${h:0:2}" = "00" ]; do h=${h:2}; done
    case "${h:0:1}" in [89a-f]) h="00$h" ;; esac
    printf '02%02x%s' $(( ${#h} / 2 )) "$h"
}
body="$(der_int "${sighex:0:64}")$(der_int "${sighex:64:64}")"
jws_hex2bin "30$(printf '%02x' $(( ${#body} / 2 )))$body" > ours.der
openssl dgst -sha256 -verify ours.pub -signature ours.der input >/dev/null || fail "OpenSSL refuses spark-licence's signature"
"$TRIALCTL" licence ours.jws --pubkey ours.pub "${args[@]}" >/dev/null || fail "trialctl refuses spark-licence's token"
echo "openssl: spark-licence token verified by OpenSSL"
