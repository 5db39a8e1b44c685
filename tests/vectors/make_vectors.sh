#!/bin/bash
# Makes the licence vectors the trial tests read, at test time, with Debian's
# `openssl` (a signer we did not write), so the tests check that the device
# reads the standard format and not only our own signer's output.
#
#   make_vectors.sh OUTDIR
#
# The device: serial FOC2240Y1ZZ, trial D1000001, E = 2026-12-15T00:00:00Z.
#   licence.pub   public half of a P-256 key made here; the private half is
#                 deleted once the tokens are signed
#   trial.jws     trial licence, seq 1, region US, calling and meetings end at E
#                 (2026-12-10T12:00:00Z: expiring, 5 days left, calling full;
#                  E + 30 d: lapsed, calling degraded, return instructions due)
#   paid.jws      paid licence (offer M2), seq 2, issued E + 3 d, services for
#                 365 days (paid, calling full)
#   tampered.jws  trial.jws with one character of its claims changed (trial_exp
#                 a few days later) and the original signature: `signature`
#   seq0.jws      trial.jws's claims with seq 0, properly signed: `claims`,
#                 "seq must be ≥ 1"
# OUTDIR is replaced as a whole (built beside it, then renamed), so a test
# never sees half a set.
set -eu
out=${1:?usage: make_vectors.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/jws_openssl.sh"

E=1797292800 # 2026-12-15T00:00:00Z
DAY=86400
work="$out.tmp.$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
JWS_WORK=$work

jws_openssl_key "$work/licence.pem" "$work/licence.pub"

dev='"sub":"FOC2240Y1ZZ","trial":"D1000001","org":"org-vectors"'
trial_claims="{$dev,\"typ\":\"trial\",\"seq\":1,\"iat\":$((E - 60 * DAY)),\"trial_exp\":$E,\"ext\":0,\"keep\":false,\"region\":\"US\",\"svc\":[{\"id\":\"calling\",\"exp\":$E},{\"id\":\"meetings\",\"exp\":$E}]}"
paid_iat=$((E + 3 * DAY))
paid_exp=$((paid_iat + 365 * DAY))
paid_claims="{$dev,\"typ\":\"paid\",\"seq\":2,\"iat\":$paid_iat,\"ext\":0,\"keep\":false,\"region\":\"US\",\"offer\":\"M2\",\"svc\":[{\"id\":\"calling\",\"exp\":$paid_exp},{\"id\":\"meetings\",\"exp\":$paid_exp}]}"

jws_openssl_sign "$work/licence.pem" "$trial_claims" "$work/trial.jws"
jws_openssl_sign "$work/licence.pem" "$paid_claims" "$work/paid.jws"
jws_openssl_sign "$work/licence.pem" "${trial_claims/\"seq\":1,/\"seq\":0,}" "$work/seq0.jws"

# One claims character changed: "trial_exp":1797292800 -> 1798292800.
forged=${trial_claims/\"trial_exp\":$E/\"trial_exp\":$((E + 1000000))}
[ "$forged" != "$trial_claims" ] || jws_fail "tampering changed nothing"
tok=$(cat "$work/trial.jws")
printf '%s.%s.%s\n' "${tok%%.*}" "$(printf '%s' "$forged" | jws_b64url)" "${tok##*.}" >"$work/tampered.jws"

# The private half is not needed any more: nothing can sign for this key.
rm -f "$work/licence.pem" "$work/jws-input" "$work/jws-sig.der"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT
echo "licence vectors: $(ls "$out" | tr '\n' ' ')in $out"
