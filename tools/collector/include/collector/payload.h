/*
 * collector/payload.h - the collector's request bodies: parsing, validation
 * and the bodies it answers with. Pure: no socket, no clock, no database, no
 * logging; bytes, the DTLS identity's serial and the server time are
 * arguments. docs/COLLECTOR.md has the wire contract.
 *
 * Every refusal fills a collector_err_t: the CoAP response code to answer
 * with (as class*100 + detail, e.g. 400) and a reason naming the field.
 * Request bytes are hostile: bounded, checked, never trusted for lengths.
 */
#ifndef COLLECTOR_PAYLOAD_H
#define COLLECTOR_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

/* The wire limits are proto/wire.h's (docs/FORMATS.md). */
#define COLLECTOR_BODY_MAX PROTO_BODY_MAX         /* larger request bodies: 4.13 */
#define COLLECTOR_RECORDS_MAX PROTO_BATCH_MAX     /* usage records / events per request */
#define COLLECTOR_CF_JSON 50u                     /* application/json */
#define COLLECTOR_ID_MAX ((uint64_t)PROTO_ID_MAX) /* 2^53-1: exact in a JSON number */
#define COLLECTOR_TIME_MAX PROTO_TIME_MAX         /* 9999-12-31T23:59:59Z */
#define COLLECTOR_DETAIL_MAX PROTO_DETAIL_MAX     /* event detail, bytes */

/* CoAP response codes, as class*100 + detail. */
enum {
    COLLECTOR_COAP_CHANGED = 204,
    COLLECTOR_COAP_CONTENT = 205,
    COLLECTOR_COAP_BAD_REQUEST = 400,
    COLLECTOR_COAP_FORBIDDEN = 403,
    COLLECTOR_COAP_NOT_FOUND = 404,
    COLLECTOR_COAP_TOO_LARGE = 413,
    COLLECTOR_COAP_UNSUPPORTED_CF = 415,
    COLLECTOR_COAP_INTERNAL = 500,
};

typedef struct {
    int coap;         /* response code for the refusal (400, 403, 413, 415) */
    char reason[160]; /* names the field; never contains request secrets */
} collector_err_t;

/* The provisioning report: proto/wire.h's PROTO_PROV_REPORT_FIELDS (mac is
 * stored lower case). */
typedef proto_prov_report_t collector_prov_t;

typedef struct {
    uint64_t id;     /* 1 .. COLLECTOR_ID_MAX */
    proto_usage_t u; /* the table's fields and ranges */
} collector_usage_rec_t;

typedef struct {
    char serial[21];
    uint32_t gen; /* provisioning generation (0: a device without one) */
    size_t n;     /* 1 .. COLLECTOR_RECORDS_MAX */
    collector_usage_rec_t rec[COLLECTOR_RECORDS_MAX];
} collector_usage_t;

typedef struct {
    uint64_t id;
    proto_event_t e; /* t, kind, detail (printable ASCII, may be empty) */
} collector_event_t;

typedef struct {
    char serial[21];
    uint32_t gen;
    size_t n;
    collector_event_t ev[COLLECTOR_RECORDS_MAX];
} collector_events_t;

/* Checks that apply before any parsing: `has_cf`/`cf` the request's
 * Content-Format option (absent is taken as JSON), `total` the whole body
 * size as announced or received. 0, or a refusal (413, 415) in `err`. */
int collector_check_request(bool has_cf, unsigned cf, size_t total, collector_err_t *err);

/* Parse a body of `len` bytes (need not be NUL-terminated). The payload's
 * "serial" must equal `expected_serial` (the DTLS identity's device), else
 * 403. Returns 0 and fills `out`, or a negative FW_E_* code with `err` set
 * (400 malformed / missing / wrong type / out of range, 403, 413). Unknown
 * members are ignored; a known member given twice is refused. The fields,
 * their types and ranges are proto/wire.h's tables, read by proto/json.h:
 * the same code the device's own decoder uses. */
int collector_parse_prov(const char *json, size_t len, const char *expected_serial,
                         collector_prov_t *out, collector_err_t *err);
int collector_parse_usage(const char *json, size_t len, const char *expected_serial,
                          collector_usage_t *out, collector_err_t *err);
int collector_parse_events(const char *json, size_t len, const char *expected_serial,
                           collector_events_t *out, collector_err_t *err);

/* "notice", "calling_degraded", ... (never NULL: "unknown"). */
const char *collector_event_kind_name(proto_event_kind_t k);

/* {"ack":[ids...],"server_time":T} with the distinct ids of `ids` in the
 * given order (duplicates once). Returns the length written (NUL added) or
 * FW_E_NOSPACE. */
int collector_build_ack(const uint64_t *ids, size_t n, int64_t server_time, char *out, size_t cap);

/* {"error":"<reason>","server_time":T}: the body of every refusal. */
int collector_build_error(const char *reason, int64_t server_time, char *out, size_t cap);

/* {"token":"...","server_time":T}; the token must be base64url and dots. */
int collector_build_licence_body(const char *token, int64_t server_time, char *out, size_t cap);

/* The licence a device is due, as the database holds it. */
typedef struct {
    char serial[21];
    char trial[17];
    char org[65];
    char region[3];
    bool paid;
    bool keep;
    int64_t trial_exp; /* required when !paid */
    int ext;           /* 0 or 1 */
    uint32_t seq;      /* >= 1 */
    int64_t iat;
    size_t n_svc;
    struct {
        char id[33];
        int64_t exp;
    } svc[16];
    char offer[17]; /* a paid licence's offer and plan, e.g. "A-SPK M3" (R6); "" none */
    char site[129]; /* its WebEx site URL (R6); "" none */
} collector_licence_t;

/* Claims JSON for `l` (docs/TRIAL_ENGINE.md "Claims"); `offer` and `site`
 * only when not empty. Returns the length or FW_E_NOSPACE / FW_E_INVAL (a
 * field the device would refuse). */
int collector_build_claims(const collector_licence_t *l, char *out, size_t cap);

#endif /* COLLECTOR_PAYLOAD_H */
