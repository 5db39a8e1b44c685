/*
 * proto/support.h - what a room tells support: the state document that
 * `GET /support/state` on the device's support port answers (docs/FORMATS.md,
 * docs/SUPPORT.md) and `trialctl device` reads. One table, in the style of
 * proto/wire.h, for the device's encoder and trialctl's decoder.
 *
 * The document is the licence view that `trialctl licence --json` prints for
 * a token at an instant (the same members, the same names), followed by what
 * only the device knows: its model and firmware, how it knows the time, its
 * reporting and its last problem. Instants are ISO 8601 text
 * ("2026-12-01T09:00:00Z"), as trialctl has always printed them; a member
 * that does not apply (no expiry on a paid licence, no licence in force) is
 * null.
 *
 * Pure: no HAL, no clock, no heap.
 */
#ifndef PROTO_SUPPORT_H
#define PROTO_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

/* Services a licence carries (trial/claims.h TRIAL_SVC_MAX). */
#define PROTO_SERVICES_MAX 16u
/* Whole days left, rounded up: from 1970 to PROTO_TIME_MAX, plus the 45 days
 * a trial runs past its end at most (grace to E + 30 d on the last E). */
#define PROTO_DAYS_MAX INT64_C(2932942)
/* "YYYY-MM-DDTHH:MM:SSZ" */
#define PROTO_INSTANT_LEN 20
/* The last problem the device logged (printable ASCII). */
#define PROTO_PROBLEM_MAX 159u

/* An instant: the fixed ISO 8601 form above, UTC. */
#define PROTO_INSTANT(X, name, flags, unit)                                                        \
    X(name, char, [PROTO_INSTANT_LEN + 1], STR, PROTO_INSTANT_LEN, PROTO_INSTANT_LEN, unit, flags, \
      proto_check_instant, NONE)

/* The licence view: what a verified licence says at an instant, as
 * `trialctl licence --json` prints it (valid: a verified licence is in
 * force; the device without one says false, state "none", and null for
 * what only a licence gives). */
#define PROTO_LICENCE_VIEW_FIELDS(X)                                                               \
    X(valid, bool, , BOOL, 0, 1, "a verified licence is in force", 0, NULL, NONE)                  \
    X(serial, char, [33], STR, 1, 32, "the device's serial (the licence's sub)", 0, NULL, NONE)    \
    PROTO_TRIAL_FIELD(X)                                                                           \
    X(org, char, [65], STR, 1, 64, "the customer's organisation", PROTO_F_NULL, NULL, NONE)        \
    X(type, char, [6], STR, 4, 5, "trial or paid", PROTO_F_NULL, proto_check_licence_type, NONE)   \
    X(seq, int64_t, , I64, 1, UINT32_MAX, "licence sequence number", PROTO_F_NULL, NULL, NONE)     \
    PROTO_INSTANT(X, issued, PROTO_F_NULL, "when the licence was issued")                          \
    PROTO_INSTANT(X, at, 0, "the instant the view is for (the device's trusted time)")             \
    X(state, char, [9], STR, 4, 8, "trial|expiring|grace|lapsed|released|paid|none", 0,            \
      proto_check_support_state, NONE)                                                             \
    PROTO_INSTANT(X, expiry, PROTO_F_NULL, "E, the trial's end; null on a paid licence")           \
    X(days_left, int64_t, , I64, 0, PROTO_DAYS_MAX, "whole days to E, rounded up", PROTO_F_NULL,   \
      NULL, NONE)                                                                                  \
    X(grace_days_left, int64_t, , I64, 0, PROTO_DAYS_MAX, "whole days to E + 30 d, rounded up",    \
      PROTO_F_NULL, NULL, NONE)                                                                    \
    X(last_day, bool, , BOOL, 0, 1, "the trial ends today (R7)", 0, NULL, NONE)                    \
    X(calling, char, [9], STR, 4, 8, "full or degraded (emergency numbers only)", 0,               \
      proto_check_calling, NONE)                                                                   \
    X(rma, bool, , BOOL, 0, 1, "return instructions due (R12)", 0, NULL, NONE)                     \
    X(keep, bool, , BOOL, 0, 1, "the customer keeps the devices (R3)", 0, NULL, NONE)              \
    X(ext, int64_t, , I64, 0, 1, "extensions used (R4)", PROTO_F_NULL, NULL, NONE)                 \
    PROTO_INSTANT(X, numbers_held_until, PROTO_F_NULL, "lapsed: line numbers kept until (R11)")    \
    PROTO_REGION_FIELD(X)                                                                          \
    X(offer, char, [17], STR, 0, 16, "conversion offer; left out when none",                       \
      PROTO_F_OPTIONAL | PROTO_F_NONZERO, NULL, NONE)                                              \
    X(site, char, [129], STR, 0, 128, "WebEx site; left out when none",                            \
      PROTO_F_OPTIONAL | PROTO_F_NONZERO, NULL, NONE)

/* What only the device knows. */
#define PROTO_SUPPORT_DEVICE_FIELDS(X)                                                             \
    PROTO_MODEL_FIELD(X)                                                                           \
    X(fw_version, char, [33], STR, 1, 32, "printable ASCII", 0, NULL, NONE)                        \
    X(time_source, char, [11], STR, 6, 10, "what last set the confirmed time", 0,                  \
      proto_check_time_source, NONE)                                                               \
    PROTO_INSTANT(X, confirmed, PROTO_F_NULL,                                                      \
                  "confirmed time (never jumps on the wall clock alone); null: never learnt")      \
    PROTO_INSTANT(X, last_report, PROTO_F_NULL, "the collector last acknowledged a report")        \
    X(queue_depth, int64_t, , I64, 0, UINT32_MAX, "reports queued, not yet acknowledged", 0, NULL, \
      NONE)                                                                                        \
    X(last_error, char, [PROTO_PROBLEM_MAX + 1], STR, 1, PROTO_PROBLEM_MAX,                        \
      "the last warning or error the device logged", PROTO_F_NULL, NULL, NONE)                     \
    PROTO_INSTANT(X, last_error_at, PROTO_F_NULL, "when it was logged")

/* The whole state document's members (the services apart). */
#define PROTO_SUPPORT_STATE_FIELDS(X) PROTO_LICENCE_VIEW_FIELDS(X) PROTO_SUPPORT_DEVICE_FIELDS(X)

/* One service of the licence (R7). */
#define PROTO_SUPPORT_SERVICE_FIELDS(X)                                                            \
    X(id, char, [33], STR, 1, 32, "service id", 0, NULL, NONE)                                     \
    PROTO_INSTANT(X, expiry, 0, "when it ends (at most E on a trial licence)")                     \
    X(days_left, int64_t, , I64, 0, PROTO_DAYS_MAX, "whole days to its expiry, rounded up", 0,     \
      NULL, NONE)                                                                                  \
    X(expired, bool, , BOOL, 0, 1, "it has ended", 0, NULL, NONE)

/* The array of services in both documents. */
#define PROTO_SERVICES_ARRAY "services"

typedef struct {
    PROTO_SUPPORT_SERVICE_FIELDS(PROTO_DECLARE_MEMBER)
} proto_support_service_t;

/* Both documents in one struct: the licence view leaves the device's
 * members empty. */
typedef struct {
    PROTO_SUPPORT_STATE_FIELDS(PROTO_DECLARE_MEMBER)
    size_t n_services;
    proto_support_service_t services[PROTO_SERVICES_MAX];
} proto_support_state_t;

/* The licence view alone (trialctl licence), and the whole state document
 * (GET /support/state, trialctl device). Their field lists are over
 * proto_support_state_t. */
extern const proto_record_t proto_licence_view_record;
extern const proto_record_t proto_support_state_record;
extern const proto_record_t proto_support_service_record;

/* `s` as a JSON object of record `r` (one of the two above) with the
 * services array last, into buf[cap]. 0 and *len (no terminator counted),
 * FW_E_INVAL naming the field in `why` when `s` does not validate, or
 * FW_E_NOSPACE. */
int proto_support_encode(const proto_record_t *r, const proto_support_state_t *s, char *buf,
                         size_t cap, size_t *len, char *why, size_t why_cap);

/* Parse `len` bytes (at most PROTO_BODY_MAX) as a document of record `r`
 * into `out` (zeroed first). 0, or FW_E_FORMAT / FW_E_TOOBIG naming the
 * first bad member in `why`. */
int proto_support_decode(const proto_record_t *r, const char *buf, size_t len,
                         proto_support_state_t *out, char *why, size_t why_cap);

/* Checks of the document's words, shared by both sides. */
int proto_check_instant(const char *s, char *why, size_t why_cap);
int proto_check_support_state(const char *s, char *why, size_t why_cap);
int proto_check_calling(const char *s, char *why, size_t why_cap);
int proto_check_licence_type(const char *s, char *why, size_t why_cap);
int proto_check_time_source(const char *s, char *why, size_t why_cap);

/* The words themselves, for the docs, the schema check and the tests:
 * NULL-terminated lists. */
extern const char *const proto_support_states[];
extern const char *const proto_calling_modes[];
extern const char *const proto_licence_types[];
extern const char *const proto_time_sources[];

#endif /* PROTO_SUPPORT_H */
