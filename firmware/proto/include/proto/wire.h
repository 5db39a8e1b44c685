/*
 * proto/wire.h - every record that crosses the device/tool boundary over the
 * network, as one table each, and the limits they share. docs/FORMATS.md
 * documents them; docs/schemas/ holds a JSON Schema per body.
 *
 * A table lists each field once: name, C type, range, unit (and for usage
 * records how two records merge). From it come the C structs, the device's
 * encoder and decoders (report/codec.h), the collector's parser
 * (collector/payload.h) and SQL columns (tools/collector/db_schema.c), and the load
 * generator's bodies. Adding a field here adds it everywhere; the contract
 * test (tests/contract/) fails when one side is changed on its own.
 *
 * Pure: no HAL, no clock, no heap.
 */
#ifndef PROTO_WIRE_H
#define PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits -------------------------------------------------------------- */

/* Largest body in either direction. The collector reassembles a request in a
 * per-session buffer of this size and the device builds one in RAM; 8 KiB
 * holds the largest licence answer (a 4 KiB token) and at least 24 usage
 * records with every field at its maximum. A device batch stops at the first
 * record that does not fit, so the limit never refuses a device's body. */
#define PROTO_BODY_MAX 8192u
/* Records or events per request. */
#define PROTO_BATCH_MAX 64u
/* Largest integer every JSON parser carries exactly (2^53 - 1): record ids and
 * 64-bit second counters. */
#define PROTO_INT_MAX INT64_C(9007199254740991)
#define PROTO_ID_MAX PROTO_INT_MAX
/* Times: unix seconds 0 .. 9999-12-31T23:59:59Z. */
#define PROTO_TIME_MAX INT64_C(253402300799)
/* Provisioning generation (see proto/provisioning.h): the secure element's
 * monotonic counter, a 32-bit value. */
#define PROTO_GEN_MAX INT64_C(4294967295)
/* Event detail: printable ASCII. 120 bytes is what a queue item on the
 * device's flash holds (report/codec.h); the collector accepts exactly that,
 * so nothing a device can keep is refused and nothing longer is stored. */
#define PROTO_DETAIL_MAX 120u
/* A licence token (JWS, base64url and dots) in GET /v1/licence. */
#define PROTO_TOKEN_MAX 4096u
/* DTLS PSKs (device and local support), bytes. */
#define PROTO_PSK_MIN 16
#define PROTO_PSK_MAX 64
/* Digits of a room's outside-line prefix (docs/EMERGENCY.md). */
#define PROTO_DIAL_PREFIX_MAX 2

/* ---- field tables ----------------------------------------------------------- */

typedef enum {
    PROTO_T_I64,  /* int64_t, JSON integer */
    PROTO_T_U32,  /* uint32_t, JSON integer */
    PROTO_T_U64,  /* uint64_t, JSON integer */
    PROTO_T_STR,  /* char[size], JSON string; min/max: length in bytes */
    PROTO_T_KIND, /* proto_event_kind_t, JSON string (its wire name) */
    PROTO_T_BOOL, /* bool, JSON true/false */
    PROTO_T_HEX,  /* uint8_t[size] + size_t name##_len, JSON lower-case hex;
                     min/max: length in bytes */
    PROTO_T_CONST /* no member: the integer `min`, written always, read must
                     equal it (a format version) */
} proto_type_t;

/* How two usage records of adjacent intervals merge (report_usage_merge()). */
typedef enum {
    PROTO_MERGE_NONE = 0,
    PROTO_MERGE_SUM, /* adds, saturating at the field's max */
    PROTO_MERGE_MAX,
    PROTO_MERGE_MIN,
} proto_merge_t;

#define PROTO_F_OPTIONAL 0x1u  /* may be absent on the wire (reads as 0 / "") */
#define PROTO_F_MULTILINE 0x2u /* a string that may hold \n and \r (PEM) */
#define PROTO_F_LOWER 0x4u     /* a string stored in lower case */
#define PROTO_F_NONZERO 0x8u   /* written only when not 0 or "" (older readers) */
/* A key: never printed or logged (a fingerprint at most), wiped after use. */
#define PROTO_F_SECRET 0x10u
#define PROTO_F_DIGEST 0x20u /* shown by its fingerprint (too long to read) */
#define PROTO_F_TIME 0x40u   /* unix seconds: shown as ISO 8601, 0 = unknown */
/* May be JSON null ("does not apply": no expiry on a paid licence): a string
 * then holds "", an I64 holds PROTO_NULL; both are written as null. */
#define PROTO_F_NULL 0x100u
#define PROTO_NULL INT64_MIN

/* An extra content check of a string: 0, or FW_E_INVAL with `why` saying
 * what is expected (the proto/provisioning.h checks). */
typedef int (*proto_check_fn)(const char *s, char *why, size_t why_cap);

typedef struct {
    const char *name;
    proto_type_t type;
    size_t offset, size; /* of the member in its struct */
    size_t len_offset;   /* PROTO_T_HEX: the size_t length member */
    int64_t min, max;    /* integers: value; strings, hex: length in bytes */
    const char *unit;    /* for docs/FORMATS.md and the schema's description */
    unsigned flags;      /* PROTO_F_* */
    proto_check_fn check;
    proto_merge_t merge;
    const char *label; /* for people (sparkflash show), "" = the name */
} proto_field_t;

typedef struct proto_record {
    const char *name; /* as in messages: "usage record" */
    const proto_field_t *fields;
    size_t n;
    /* Rules across fields (end >= start), or NULL: 0 or FW_E_INVAL + why.
     * Readers apply it once field `check_after` (the last it needs) is read,
     * so a refusal names the first problem in field order. */
    int (*check)(const void *obj, char *why, size_t why_cap);
    size_t check_after;
} proto_record_t;

/* X(name, ctype, dim, type, min, max, unit, flags, check, merge[, label]):
 * one line per field. `dim` is the array bound of strings ([21]) and empty
 * otherwise; `label` names the field for people where its name does not
 * read well ("generation" for gen). */
#define PROTO_DECLARE_MEMBER(name, ctype, dim, type, ...) PROTO_DECL_##type(name, ctype, dim)

/* Per type, the struct members a field declares, and the descriptor's
 * offset, size and len_offset of them (PROTO_FIELD below). A HEX field
 * also declares its length, name##_len; a CONST field declares nothing. */
#define PROTO_DECL_ONE(n, ctype, dim) ctype n dim;
#define PROTO_DECL_I64 PROTO_DECL_ONE
#define PROTO_DECL_U32 PROTO_DECL_ONE
#define PROTO_DECL_U64 PROTO_DECL_ONE
#define PROTO_DECL_STR PROTO_DECL_ONE
#define PROTO_DECL_KIND PROTO_DECL_ONE
#define PROTO_DECL_BOOL PROTO_DECL_ONE
#define PROTO_DECL_HEX(n, ctype, dim)                                                              \
    ctype n dim;                                                                                   \
    size_t n##_len;
#define PROTO_DECL_CONST(n, ctype, dim)

#define PROTO_AT_ONE(rtype, n) offsetof(rtype, n), sizeof(((rtype *)0)->n), 0
#define PROTO_AT_I64 PROTO_AT_ONE
#define PROTO_AT_U32 PROTO_AT_ONE
#define PROTO_AT_U64 PROTO_AT_ONE
#define PROTO_AT_STR PROTO_AT_ONE
#define PROTO_AT_KIND PROTO_AT_ONE
#define PROTO_AT_BOOL PROTO_AT_ONE
#define PROTO_AT_HEX(rtype, n) offsetof(rtype, n), sizeof(((rtype *)0)->n), offsetof(rtype, n##_len)
#define PROTO_AT_CONST(rtype, n) 0, 0, 0

/* A descriptor from a table line, for the struct `rtype`. */
#define PROTO_FIELD(rtype, fname, ctype, dim, ftype, lo, hi, unit, flags, check, merge, ...)       \
    {#fname,        PROTO_T_##ftype, PROTO_AT_##ftype(rtype, fname),                               \
     (int64_t)(lo), (int64_t)(hi),   unit,                                                         \
     flags,         check,           PROTO_MERGE_##merge,                                          \
     "" __VA_ARGS__},

/* ---- fields several records share, defined once ---------------------------- */

#define PROTO_SERIAL_FIELD(X)                                                                      \
    X(serial, char, [21], STR, 8, 20, "A-Z 0-9: the hardware serial (the DTLS identity's device)", \
      0, proto_check_serial, NONE)
#define PROTO_MODEL_FIELD(X) X(model, char, [48], STR, 1, 47, "printable ASCII", 0, NULL, NONE)
#define PROTO_TRIAL_FIELD(X)                                                                       \
    X(trial, char, [17], STR, 2, 16, "D + 1..15 digits (R1)", 0, proto_check_trial, NONE)
#define PROTO_REGION_FIELD(X)                                                                      \
    X(region, char, [3], STR, 2, 2, "ISO 3166 alpha-2", 0, proto_check_region, NONE)
#define PROTO_LOCALE_FIELD(X)                                                                      \
    X(locale, char, [6], STR, 2, 5, "ll or ll-CC", 0, proto_check_locale, NONE)
/* The provisioning generation: the secure element's monotonic counter. */
#define PROTO_GEN_FIELD(X, flags)                                                                  \
    X(gen, uint32_t, , U32, 0, PROTO_GEN_MAX, "provisioning generation", flags, NULL, NONE,        \
      "generation")

/* ---- usage records: POST /v1/usage -------------------------------------- */

/* Counts saturate (never wrap): at UINT32_MAX for counts, at PROTO_INT_MAX for
 * seconds (64-bit on the device, carried exactly by JSON). */
#define PROTO_USAGE_FIELDS(X)                                                                      \
    X(start, int64_t, , I64, 0, PROTO_TIME_MAX, "unix s, inclusive", 0, NULL, MIN)                 \
    X(end, int64_t, , I64, 0, PROTO_TIME_MAX, "unix s, exclusive", 0, NULL, MAX)                   \
    X(calls, uint32_t, , U32, 0, UINT32_MAX, "calls ended", 0, NULL, SUM)                          \
    X(call_seconds, uint64_t, , U64, 0, PROTO_INT_MAX, "s", 0, NULL, SUM)                          \
    X(calls_blocked, uint32_t, , U32, 0, UINT32_MAX, "calls refused by policy", 0, NULL, SUM)      \
    X(emergency_calls, uint32_t, , U32, 0, UINT32_MAX, "calls", 0, NULL, SUM)                      \
    X(meetings, uint32_t, , U32, 0, UINT32_MAX, "meetings ended", 0, NULL, SUM)                    \
    X(meeting_seconds, uint64_t, , U64, 0, PROTO_INT_MAX, "s", 0, NULL, SUM)                       \
    X(share_seconds, uint64_t, , U64, 0, PROTO_INT_MAX, "s", 0, NULL, SUM)                         \
    X(people_peak, uint32_t, , U32, 0, UINT32_MAX, "people at once", 0, NULL, MAX)                 \
    X(uptime_seconds, uint64_t, , U64, 0, PROTO_INT_MAX, "s", 0, NULL, SUM)

/* The counters of one usage interval (report/usage.h: report_usage_t). */
typedef struct {
    PROTO_USAGE_FIELDS(PROTO_DECLARE_MEMBER)
} proto_usage_t;

extern const proto_record_t proto_usage_record;

/* ---- events: POST /v1/events ----------------------------------------------- */

/* X(NAME, code, "wire name"): the code is the byte in a queue item on flash. */
#define PROTO_EVENT_KINDS(X)                                                                       \
    X(NOTICE, 1, "notice")                                                                         \
    X(CALLING_DEGRADED, 2, "calling_degraded")                                                     \
    X(CALLING_RESTORED, 3, "calling_restored")                                                     \
    X(NUMBERS_RELEASED, 4, "numbers_released")                                                     \
    X(CLOCK_ROLLBACK, 5, "clock_rollback")                                                         \
    X(RMA_SHOWN, 6, "rma_shown")                                                                   \
    X(RMA_ACKNOWLEDGED, 7, "rma_acknowledged")                                                     \
    X(RMA_LABELS_REQUESTED, 8, "rma_labels_requested") /* R13: new labels asked for */             \
    X(RECORD_REFUSED, 9, "record_refused") /* the collector refused a record: set aside */         \
    X(CLOCK_AHEAD, 10, "clock_ahead")      /* the wall clock ran ahead of the collector's */

/* The same codes under the report module's older names (REPORT_EV_*), made
 * from the same table so they cannot drift. */
typedef enum {
#define PROTO_EV_ENUM(e, code, wire) PROTO_EV_##e = code,
#define REPORT_EV_ENUM(e, code, wire) REPORT_EV_##e = code,
    PROTO_EVENT_KINDS(PROTO_EV_ENUM) PROTO_EVENT_KINDS(REPORT_EV_ENUM)
#undef PROTO_EV_ENUM
#undef REPORT_EV_ENUM
} proto_event_kind_t;

/* Wire name of a kind, NULL if unknown; and back (FW_E_FORMAT if unknown). */
const char *proto_event_kind_name(proto_event_kind_t kind);
int proto_event_kind_parse(const char *name, proto_event_kind_t *out);
/* The kinds in table order, for tests and docs. */
size_t proto_event_kind_count(void);
proto_event_kind_t proto_event_kind_at(size_t i);

#define PROTO_EVENT_FIELDS(X)                                                                      \
    X(t, int64_t, , I64, 0, PROTO_TIME_MAX, "unix s", 0, NULL, NONE)                               \
    X(kind, proto_event_kind_t, , KIND, 0, 0, "event kind", 0, NULL, NONE)                         \
    X(detail, char, [PROTO_DETAIL_MAX + 1], STR, 0, PROTO_DETAIL_MAX, "printable ASCII",           \
      PROTO_F_OPTIONAL, NULL, NONE)

typedef struct {
    PROTO_EVENT_FIELDS(PROTO_DECLARE_MEMBER)
} proto_event_t;

extern const proto_record_t proto_event_record;

/* ---- the head of every batch body -------------------------------------------- */

/* {"serial":..., "gen":..., "records"|"events":[{"id":...,<fields>}, ...]}.
 * "gen" is the provisioning generation the ids belong to (0 and absent for
 * devices provisioned before generations existed); ids are unique per
 * (serial, gen) and the collector keys records by all three. */
#define PROTO_BATCH_FIELDS(X)                                                                      \
    PROTO_SERIAL_FIELD(X)                                                                          \
    PROTO_GEN_FIELD(X, PROTO_F_OPTIONAL | PROTO_F_NONZERO)

typedef struct {
    PROTO_BATCH_FIELDS(PROTO_DECLARE_MEMBER)
} proto_batch_head_t;

extern const proto_record_t proto_batch_record;
/* The element id: {"id": 1..PROTO_ID_MAX}. */
extern const proto_field_t proto_id_field;
#define PROTO_USAGE_ARRAY "records"
#define PROTO_EVENTS_ARRAY "events"

/* ---- provisioning report: POST /v1/prov --------------------------------------- */

/* "gen": the generation of the provisioning record the device runs on (left
 * out when 0: a device provisioned before generations). */
#define PROTO_PROV_REPORT_FIELDS(X)                                                                \
    PROTO_SERIAL_FIELD(X)                                                                          \
    PROTO_MODEL_FIELD(X)                                                                           \
    X(hw_revision, char, [33], STR, 1, 32, "printable ASCII", 0, NULL, NONE)                       \
    X(mac, char, [18], STR, 17, 17, "aa:bb:cc:dd:ee:ff", PROTO_F_LOWER, proto_check_mac, NONE)     \
    X(fw_version, char, [33], STR, 1, 32, "printable ASCII", 0, NULL, NONE)                        \
    PROTO_TRIAL_FIELD(X)                                                                           \
    PROTO_REGION_FIELD(X)                                                                          \
    PROTO_LOCALE_FIELD(X)                                                                          \
    X(licence_state, char, [33], STR, 1, 32, "trial state name or none", 0, NULL, NONE)            \
    PROTO_GEN_FIELD(X, PROTO_F_OPTIONAL | PROTO_F_NONZERO)

typedef struct {
    PROTO_PROV_REPORT_FIELDS(PROTO_DECLARE_MEMBER)
} proto_prov_report_t;

extern const proto_record_t proto_prov_report_record;

/* ---- responses ------------------------------------------------------------------ */

/* 2.04 to a batch: {"ack":[ids...],"server_time":T}; to /v1/prov:
 * {"server_time":T}; a refusal: {"error":"<reason>","server_time":T};
 * GET /v1/licence 2.05: {"token":"<JWS>","server_time":T}. */
#define PROTO_ACK_MEMBER "ack"
#define PROTO_ERROR_MEMBER "error" /* a refusal's reason (the device reports it) */
#define PROTO_ERROR_MAX 159u       /* a refusal's reason, printable ASCII */

#define PROTO_LICENCE_FIELDS(X)                                                                    \
    X(token, char, [PROTO_TOKEN_MAX + 1], STR, 1, PROTO_TOKEN_MAX, "JWS: base64url and dots", 0,   \
      proto_check_token, NONE)                                                                     \
    X(server_time, int64_t, , I64, 0, PROTO_INT_MAX, "unix s", 0, NULL, NONE)

typedef struct {
    PROTO_LICENCE_FIELDS(PROTO_DECLARE_MEMBER)
} proto_licence_body_t;

extern const proto_record_t proto_licence_record;
/* "server_time" of every answer. */
extern const proto_field_t proto_server_time_field;

/* ---- field checks shared by both sides ---------------------------------------- */

/* Six hex pairs separated by ':'. */
int proto_check_mac(const char *s, char *why, size_t why_cap);
/* base64url characters and dots. */
int proto_check_token(const char *s, char *why, size_t why_cap);
/* checks.c: the fields several records share */
int proto_check_serial(const char *s, char *why, size_t why_cap);
int proto_check_trial(const char *s, char *why, size_t why_cap);
int proto_check_region(const char *s, char *why, size_t why_cap);
int proto_check_locale(const char *s, char *why, size_t why_cap);

/* ---- generic access ------------------------------------------------------------- */

/* An integer field (I64/U32/U64/KIND/BOOL) of `obj` as int64_t, and back. */
int64_t proto_field_get(const proto_field_t *f, const void *obj);
void proto_field_set(const proto_field_t *f, void *obj, int64_t v);
/* A PROTO_F_NULL field that holds its null ("" or PROTO_NULL); and making
 * it so. Other fields are never null. */
bool proto_field_is_null(const proto_field_t *f, const void *obj);
void proto_field_set_null(const proto_field_t *f, void *obj);
/* A field by name, or NULL. */
const proto_field_t *proto_record_field(const proto_record_t *r, const char *name);
/* What people call it, into buf[cap]: its label, else its name with
 * spaces for underscores ("dial prefix"). Returns buf. */
const char *proto_field_label(const proto_field_t *f, char *buf, size_t cap);
/* Field `f` of `obj` as people read it, into buf[cap]: strings as they are
 * ("(none)" when empty), integers in decimal, booleans yes/no, times
 * (PROTO_F_TIME) in ISO 8601 ("unknown" for 0), hex as its byte count.
 * Never call it for PROTO_F_SECRET fields' bytes: it prints only their
 * length. Returns buf. */
const char *proto_field_text(const proto_field_t *f, const void *obj, char *buf, size_t cap);

/* Set field `f` of `obj` from text, with the table's rules and the same
 * refusals the JSON reader gives ("<ctx><name>: expected ..."): a string
 * as it is (STR), hex digits (HEX), a decimal integer in range (integers),
 * true/false (BOOL). Used for the wire (proto/json.h) and for a tool's
 * arguments alike. 0, or FW_E_FORMAT with the reason in `why`. */
int proto_field_from_text(const proto_field_t *f, void *obj, const char *text, const char *ctx,
                          char *why, size_t why_cap);

/* Copy into `dst` (a record of `dst_r`) every field that `src_r` has under
 * the same name and type, from `src`. Returns how many were copied. */
size_t proto_record_copy(const proto_record_t *dst_r, void *dst, const proto_record_t *src_r,
                         const void *src);

/* Check every field of `obj` against the table (ranges, lengths, checks) and
 * the record's own rule. 0, or FW_E_INVAL with the field named in `why`. */
int proto_record_validate(const proto_record_t *r, const void *obj, char *why, size_t why_cap);

#endif /* PROTO_WIRE_H */
