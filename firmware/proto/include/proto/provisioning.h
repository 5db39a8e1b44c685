/*
 * proto/provisioning.h - the provisioning record (what the technician's
 * flashing tool writes and the agent reads, store key STORE_KEY_PROVISIONING)
 * and the enrollment record (what the flashing tool hands the collector).
 * Each is one table, in the style of proto/wire.h: the struct, the encoder,
 * the decoder, the checks, sparkflash's writing and printing and the
 * collector's enrollment and its SQL columns all come from it.
 *
 * Provisioning record: a JSON object (UTF-8), format version "v": 1. Binary
 * secrets are lower-case hex. Unknown members are ignored (newer tools may
 * add some); a missing or malformed required member makes the whole record
 * invalid, and the refusal names it.
 */
#ifndef PROTO_PROVISIONING_H
#define PROTO_PROVISIONING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

#define PROTO_PROV_VERSION 1

/* Fields the provisioning and enrollment records share. */
#define PROTO_PSK_FIELD(X, fname, unit, flags)                                                     \
    X(fname, uint8_t, [PROTO_PSK_MAX], HEX, PROTO_PSK_MIN, PROTO_PSK_MAX, unit,                    \
      PROTO_F_SECRET | (flags), NULL, NONE)
#define PROTO_PSK_IDENTITY_FIELD(X)                                                                \
    X(psk_identity, char, [65], STR, 1, 64, "DTLS PSK identity, printable ASCII", 0, NULL, NONE)
/* The outside-line prefix of the room's PBX (docs/EMERGENCY.md): "" if none;
 * absent (a record from before it) reads as "". */
#define PROTO_DIAL_PREFIX_FIELD(X)                                                                 \
    X(dial_prefix, char, [PROTO_DIAL_PREFIX_MAX + 1], STR, 0, PROTO_DIAL_PREFIX_MAX,               \
      "outside-line prefix, digits", PROTO_F_OPTIONAL, proto_check_dial_prefix, NONE)

/* ---- the provisioning record ------------------------------------------------- */

/* `gen` (the provisioning generation): which life of this serial the record
 * starts. `sparkflash provision` takes it from the secure element's
 * monotonic counter, which only grows and survives a factory reset and a
 * rewritten flash: it writes STORE_KEY_GENERATION bound to the counter
 * (STORE_F_MONOTONIC), which moves the counter to exactly that value, and
 * puts the same value here. So every provisioning of a device gets a
 * generation no earlier one had, with nothing for a technician to carry
 * over. Report ids are unique per (serial, gen) and the collector keys
 * records by both (proto/wire.h). Records written before generations
 * existed have none and read as 0. */
#define PROTO_PROVISIONING_FIELDS(X)                                                               \
    X(v, int, , CONST, PROTO_PROV_VERSION, PROTO_PROV_VERSION, "format version", 0, NULL, NONE)    \
    PROTO_SERIAL_FIELD(X)                                                                          \
    PROTO_MODEL_FIELD(X)                                                                           \
    PROTO_TRIAL_FIELD(X)                                                                           \
    X(server, char, [128], STR, 11, 127, "coaps://HOST:PORT", 0, proto_check_server, NONE)         \
    X(licence_pubkey, char, [1024], STR, 26, 1023, "PEM, P-256 public key (checked by trial/)",    \
      PROTO_F_MULTILINE | PROTO_F_DIGEST, proto_check_pubkey_pem, NONE)                            \
    PROTO_REGION_FIELD(X)                                                                          \
    PROTO_LOCALE_FIELD(X)                                                                          \
    PROTO_PSK_FIELD(X, psk, "device DTLS PSK, lower-case hex", 0)                                  \
    PROTO_PSK_IDENTITY_FIELD(X)                                                                    \
    PROTO_PSK_FIELD(X, support_psk, "local support PSK, lower-case hex; \"\": none",               \
                    PROTO_F_OPTIONAL)                                                              \
    X(return_url, char, [256], STR, 0, 255, "http(s) link to the RMA instructions (R12)",          \
      PROTO_F_OPTIONAL, proto_check_return_url, NONE)                                              \
    PROTO_DIAL_PREFIX_FIELD(X)                                                                     \
    X(provisioned_at, int64_t, , I64, 0, PROTO_TIME_MAX, "unix s, 0 if unknown",                   \
      PROTO_F_OPTIONAL | PROTO_F_TIME, NULL, NONE)                                                 \
    PROTO_GEN_FIELD(X, PROTO_F_OPTIONAL | PROTO_F_NONZERO)

typedef struct {
    PROTO_PROVISIONING_FIELDS(PROTO_DECLARE_MEMBER)
} proto_provisioning_t;

extern const proto_record_t proto_provisioning_record;

/* Encode `p` (which must validate) as JSON into `buf`. `*len` gets the length
 * without a terminator. FW_E_INVAL if `p` does not validate (the field is named
 * in `why`), FW_E_NOSPACE if `cap` is too small. */
int proto_provisioning_encode(const proto_provisioning_t *p, char *buf, size_t cap, size_t *len,
                              char *why, size_t why_cap);

/* Decode and validate. On failure returns FW_E_FORMAT and names the first
 * offending field in `why` (e.g. "trial: expected D followed by digits"). */
int proto_provisioning_decode(const char *buf, size_t len, proto_provisioning_t *out, char *why,
                              size_t why_cap);

/* Check the whole record; 0 or FW_E_INVAL with the reason in `why`. */
int proto_provisioning_validate(const proto_provisioning_t *p, char *why, size_t why_cap);

/* ---- the enrollment record (docs/ENROLLMENT.md) ------------------------------------ */

/* The factory's hand-over to the cloud: `sparkflash provision --enroll-out`
 * writes it from the provisioning record it wrote (every field of the same
 * name, proto_record_copy) and `spark-collector admin enroll --from` reads
 * it, into its `device` table whose columns are these fields. `gen` is the
 * generation the device was provisioned with (absent in records written
 * before it: 0). */
#define PROTO_ENROLLMENT_FIELDS(X)                                                                 \
    PROTO_SERIAL_FIELD(X)                                                                          \
    PROTO_TRIAL_FIELD(X)                                                                           \
    PROTO_PSK_IDENTITY_FIELD(X)                                                                    \
    PROTO_PSK_FIELD(X, psk, "device DTLS PSK, lower-case hex", 0)                                  \
    PROTO_REGION_FIELD(X)                                                                          \
    X(keep_devices, bool, , BOOL, 0, 1, "the customer keeps the devices (R3)", 0, NULL, NONE)      \
    PROTO_MODEL_FIELD(X)                                                                           \
    PROTO_PSK_FIELD(X, support_psk, "local support PSK, lower-case hex", 0)                        \
    PROTO_DIAL_PREFIX_FIELD(X)                                                                     \
    PROTO_GEN_FIELD(X, PROTO_F_OPTIONAL)

typedef struct {
    PROTO_ENROLLMENT_FIELDS(PROTO_DECLARE_MEMBER)
} proto_enrollment_t;

/* Written as its file holds it, one member a line (proto/json.h:
 * proto_json_encode_record(&proto_enrollment_record, e, true, ...); the
 * buffer then holds the PSKs: wipe it), read with proto_json_decode_record(). */
extern const proto_record_t proto_enrollment_record;

/* Field checks (checks.c), shared with the tools so every refusal reads the
 * same. Each returns 0 if valid, else FW_E_INVAL with "what is expected" in
 * `why`. proto_check_serial/trial/region/locale: proto/wire.h. */
int proto_check_server(const char *s, char *why, size_t why_cap);
int proto_check_dial_prefix(const char *s, char *why, size_t why_cap);
int proto_check_return_url(const char *s, char *why, size_t why_cap);
int proto_check_pubkey_pem(const char *s, char *why, size_t why_cap);

#endif /* PROTO_PROVISIONING_H */
