#!/bin/bash
# JWS compact tokens (ES256) signed by Debian's `openssl` command, for tests
# that want a signer we did not write. Sourced, not run.
#
#   jws_openssl_key KEY.pem PUB.pem      a new P-256 key pair (PEM)
#   jws_openssl_sign KEY.pem PAYLOAD OUT writes header.payload.signature to OUT
#
# openssl signs ECDSA as a DER SEQUENCE of two INTEGERs; a JWS wants the two
# numbers as 32-byte big-endian r||s (RFC 7518 3.4). `openssl asn1parse`
# reads the DER; jws_fix32 strips the sign byte or pads a short number.
# After a jws_openssl_sign, JWS_R and JWS_S hold the two numbers (64 hex
# digits each) and JWS_INPUT the signed file, for callers that check padding.

JWS_HEADER_JSON='{"alg":"ES256","typ":"JWT"}'

jws_fail() { echo "FAIL: $*" >&2; exit 1; }
jws_b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jws_unb64url() {
    local s
    s=$(tr -- '-_' '+/')
    while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
    printf '%s' "$s" | base64 -d
}
jws_hex2bin() {
    local h=$1 out='' i
    for ((i = 0; i < ${#h}; i += 2)); do out+="\\x${h:i:2}"; done
    printf '%b' "$out"
}
# 64 hex digits from an asn1parse INTEGER (maybe 00-led or shorter)
jws_fix32() {
    local h=$1
    while [ ${#h} -gt 64 ] && [ "${h:0:2}" = "00" ]; do h=${h:2}; done
    [ ${#h} -le 64 ] || jws_fail "integer too long: $h"
    while [ ${#h} -lt 64 ]; do h="0$h"; done
    printf '%s' "$h"
}

jws_openssl_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null || jws_fail "openssl genpkey"
    openssl pkey -in "$1" -pubout -out "$2" 2>/dev/null || jws_fail "openssl pkey -pubout"
}

# Signs the ASCII of header.payload (both base64url) in a scratch directory.
jws_openssl_sign() {
    local key=$1 payload_json=$2 out=$3 dir ints header payload
    dir=${JWS_WORK:-.}
    header=$(printf '%s' "$JWS_HEADER_JSON" | jws_b64url)
    payload=$(printf '%s' "$payload_json" | jws_b64url)
    JWS_INPUT="$dir/jws-input"
    printf '%s.%s' "$header" "$payload" >"$JWS_INPUT"
    openssl dgst -sha256 -sign "$key" -out "$dir/jws-sig.der" "$JWS_INPUT" || jws_fail "openssl dgst -sign"
    ints=$(openssl asn1parse -inform DER -in "$dir/jws-sig.der" | awk -F: '/INTEGER/ {print $NF}')
    JWS_R=$(jws_fix32 "$(echo "$ints" | sed -n 1p)")
    JWS_S=$(jws_fix32 "$(echo "$ints" | sed -n 2p)")
    printf '%s.%s.%s\n' "$header" "$payload" "$(jws_hex2bin "$JWS_R$JWS_S" | jws_b64url)" >"$out"
}
