/*
 * proto/provisioning.h - the provisioning record: what the technician's
 * flashing tool writes and the agent reads (store key STORE_KEY_PROVISIONING).
 * Defined once, here, for both.
 *
 * Encoding: a JSON object (UTF-8), version field "v": 1. Binary secrets are
 * lower-case hex. Unknown fields are ignored (newer tools may add some);
 * missing or malformed required fields make the whole record invalid.
 */
#ifndef PROTO_PROVISIONING_H
#define PROTO_PROVISIONING_H

#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

#define PROTO_PROV_VERSION 1
#define PROTO_PSK_MIN 16
#define PROTO_PSK_MAX 64
#define PROTO_DIAL_PREFIX_MAX 2 /* digits of the outside-line prefix */

typedef struct {
    char serial[21];            /* 8..20 of [A-Z0-9] */
    char model[48];             /* printable, 1..47 */
    char trial[17];             /* 'D' + 1..15 digits (R1) */
    char server[128];           /* coaps://HOST:PORT */
    char licence_pubkey[1024];  /* PEM, P-256 public key (checked by trial/) */
    char region[3];             /* ISO 3166 alpha-2, upper case */
    char locale[6];             /* ll or ll-CC */
    uint8_t psk[PROTO_PSK_MAX]; /* device DTLS PSK */
    size_t psk_len;
    char psk_identity[65];              /* DTLS PSK identity (defaults to the serial) */
    uint8_t support_psk[PROTO_PSK_MAX]; /* for local support access */
    size_t support_psk_len;
    char return_url[256]; /* RMA instructions link (R12), may be empty */
    /* Outside-line prefix of the room's PBX: 0..2 digits, "" if none
     * (docs/EMERGENCY.md). Optional in the record: absent reads as "". */
    char dial_prefix[PROTO_DIAL_PREFIX_MAX + 1];
    int64_t provisioned_at; /* unix seconds, 0 if unknown */
    uint32_t gen;           /* provisioning generation, 0 if none (see below) */
} proto_provisioning_t;

/* The provisioning generation ("gen"): which life of this serial the record
 * starts. `sparkflash provision` takes it from the secure element's
 * monotonic counter, which only grows and survives a factory reset and a
 * rewritten flash: it writes STORE_KEY_GENERATION bound to the counter
 * (STORE_F_MONOTONIC), which moves the counter to exactly that value, and
 * puts the same value here. So every provisioning of a device gets a
 * generation no earlier one had, with nothing for a technician to carry
 * over. Report ids are unique per (serial, gen) and the collector keys
 * records by both (proto/wire.h). Records written before generations
 * existed have none and read as 0. */

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

/* Field checks (checks.c), shared with the tools so every refusal reads the
 * same. Each returns 0 if valid, else FW_E_INVAL with "what is expected" in
 * `why`. proto_check_serial/trial/region/locale: proto/wire.h. */
int proto_check_server(const char *s, char *why, size_t why_cap);
int proto_check_psk_len(size_t len, char *why, size_t why_cap);
int proto_check_dial_prefix(const char *s, char *why, size_t why_cap);

#endif /* PROTO_PROVISIONING_H */
